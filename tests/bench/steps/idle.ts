/** Step 1: one message at a time on an otherwise idle system, send → partner's `message.new`. */
import { sleep } from '../async.js';
import { DeliveryTracker } from '../deliveries.js';
import type { ConnectedUsers } from '../population.js';
import { summarize, type Summary } from '../stats.js';
import { sendTracked, tracedSample, type TracedSample } from './send.js';

export interface IdleResult {
  samples: number;
  delivery: Summary;
  /** The `chat.send` round trip (send → answer) of the same messages. */
  ack: Summary;
  /** Messages not delivered within the wait (they count in no percentile). */
  undelivered: number;
  errors: Record<string, number>;
  seconds: number;
}

const WARM_UP = 10;
const DELIVERY_WAIT_MS = 15_000;

export async function measureIdle(
  users: ConnectedUsers,
  options: {
    samples: number;
    maxSeconds: number;
    pairs?: number;
    log: (line: string) => void;
    /** Each recorded message's times, epoch milliseconds (to find its trace). */
    onSample?: (sample: TracedSample) => void;
  },
): Promise<IdleResult> {
  const pairs = Math.max(1, Math.min(options.pairs ?? 10, Math.floor(users.size / 2)));
  const tracker = new DeliveryTracker(users.size);
  users.handler = tracker.onEvent;
  const deliveries: number[] = [];
  const acks: number[] = [];
  const errors: Record<string, number> = {};
  let undelivered = 0;
  const t0 = performance.now();
  let lastLog = t0;
  try {
    for (let k = 0; k < WARM_UP + options.samples; k++) {
      if (k >= WARM_UP && performance.now() - t0 > options.maxSeconds * 1000) {
        options.log(`  stopping after ${options.maxSeconds} s with ${k - WARM_UP} samples`);
        break;
      }
      const sender = 2 * (k % pairs) + (Math.floor(k / pairs) % 2);
      const { tracked, answer } = sendTracked(
        users,
        tracker,
        sender,
        users.conversations[sender]!,
        users.partnerOf(sender),
        k,
      );
      const [result, delivered] = await Promise.all([
        answer,
        tracker.waitComplete(tracked.clientId, DELIVERY_WAIT_MS),
      ]);
      if (k < WARM_UP) continue;
      if (!result.ok) errors[result.code] = (errors[result.code] ?? 0) + 1;
      else acks.push(tracked.ackAt! - tracked.sentAt);
      if (delivered) deliveries.push(tracked.firstAt! - tracked.sentAt);
      else undelivered++;
      const sample = delivered ? tracedSample(tracked) : null;
      if (sample) options.onSample?.(sample);
      if (performance.now() - lastLog > 5_000) {
        lastLog = performance.now();
        options.log(`  idle: ${k - WARM_UP + 1}/${options.samples}`);
      }
      await sleep(20);
    }
  } finally {
    users.handler = null;
  }
  return {
    samples: deliveries.length,
    delivery: summarize(deliveries),
    ack: summarize(acks),
    undelivered,
    errors,
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * Waits until the system answers like an idle one again (after a load step left a
 * backlog): three probes in a row delivered within `thresholdMs`. Bounded by `timeoutMs`.
 */
export async function settle(
  users: ConnectedUsers,
  options: { thresholdMs: number; timeoutMs: number; log: (line: string) => void },
): Promise<{ seconds: number; settled: boolean }> {
  const tracker = new DeliveryTracker(users.size);
  users.handler = tracker.onEvent;
  const t0 = performance.now();
  let good = 0;
  let n = 0;
  let lastLog = t0;
  try {
    while (good < 3) {
      const elapsed = performance.now() - t0;
      if (elapsed > options.timeoutMs) {
        options.log(`  ! the system did not settle within ${options.timeoutMs / 1000} s`);
        return { seconds: elapsed / 1000, settled: false };
      }
      const { tracked } = sendTracked(users, tracker, 0, users.conversations[0]!, 1, n++);
      const ok = await tracker.waitComplete(
        tracked.clientId,
        Math.max(1_000, options.timeoutMs - elapsed),
      );
      good = ok && tracked.firstAt! - tracked.sentAt <= options.thresholdMs ? good + 1 : 0;
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        options.log(`  waiting for the backlog to drain (${Math.round(elapsed / 1000)} s)`);
      }
      await sleep(good > 0 ? 50 : 500);
    }
  } finally {
    users.handler = null;
  }
  return { seconds: (performance.now() - t0) / 1000, settled: true };
}
