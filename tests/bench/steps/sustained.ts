/**
 * Step 2: sustained direct-message load. Every user sends, in turn, over its own socket
 * to its partner, open loop at a fixed rate (sends don't wait for answers), for a fixed
 * time; then the step waits for the answers and a grace period for the deliveries.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pollUntil, sleep } from '../async.js';
import { cpuBetween, snapshotCpu, type CpuUsage, type ProcessGroup } from '../cpu-meter.js';
import { DeliveryTracker } from '../deliveries.js';
import type { ConnectedUsers } from '../population.js';
import { summarize, type Summary } from '../stats.js';
import { SEND_TIMEOUT_MS, sendTracked } from './send.js';

export interface RateResult {
  /** `ladder`: one of the configured rates; `bisect`: a probe between two of them. */
  phase: 'ladder' | 'bisect';
  target: number;
  /** How long sends went out (shorter than asked when the step was stopped early). */
  sendSeconds: number;
  /** Why sending stopped early, if it did. */
  abortedBecause: string | null;
  sent: number;
  acked: number;
  /** Acknowledged and delivered to the partner. */
  delivered: number;
  /** Acknowledged, but not delivered to the partner by the end of the grace period. */
  lost: number;
  /** A message id that arrived twice at the same user. */
  duplicates: number;
  errors: Record<string, number>;
  /** Answered with an error, yet delivered (stored after all). */
  deliveredDespiteError: number;
  /** Send → partner's `message.new`, every delivered message. */
  latency: Summary;
  ack: Summary;
  /** Deliveries per second, from the first send to the last delivery. */
  achieved: number;
  cpu: CpuUsage[];
  cpuSeconds: number;
  /** The generator's own event-loop delay (p99): high values inflate every latency. */
  generatorLoopDelayP99Ms: number;
  /** Socket closes / stream errors during the step (the sockets resume by themselves). */
  interruptions: Record<string, number>;
}

export interface SustainedOptions {
  rate: number;
  seconds: number;
  phase: RateResult['phase'];
  cpuGroups: readonly ProcessGroup[];
  /** Wait this long after the last answer for the remaining deliveries. */
  graceMs: number;
  log: (line: string) => void;
}

const CHECK_EVERY_MS = 1_000;

export async function runSustained(
  users: ConnectedUsers,
  options: SustainedOptions,
): Promise<RateResult> {
  const { rate } = options;
  const tracker = new DeliveryTracker(users.size);
  users.handler = tracker.onEvent;
  const troubleBefore = new Map(users.trouble);
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const cpuBefore = snapshotCpu(options.cpuGroups);
  const t0 = performance.now();

  let sent = 0;
  let answered = 0;
  let acked = 0;
  const errors: Record<string, number> = {};
  let abortedBecause: string | null = null;
  let nextCheck = t0 + CHECK_EVERY_MS;
  let nextLog = t0 + 5_000;
  let windowSent = 0;
  let windowErrors = 0;
  const durationMs = options.seconds * 1000;

  const send = () => {
    const sender = sent % users.size;
    const { answer } = sendTracked(
      users,
      tracker,
      sender,
      users.conversations[sender]!,
      users.partnerOf(sender),
      sent,
    );
    sent++;
    windowSent++;
    void answer.then((result) => {
      answered++;
      if (result.ok) acked++;
      else {
        errors[result.code] = (errors[result.code] ?? 0) + 1;
        windowErrors++;
      }
    });
  };

  try {
    for (;;) {
      const now = performance.now();
      const elapsed = now - t0;
      if (elapsed >= durationMs) break;
      // Message n is due at n / rate seconds: send everything due (catches up after a stall).
      const due = Math.min(
        Math.floor((elapsed * rate) / 1000) + 1,
        Math.ceil((durationMs * rate) / 1000),
      );
      while (sent < due) send();
      if (now >= nextCheck) {
        nextCheck = now + CHECK_EVERY_MS;
        abortedBecause = saturationSign(
          elapsed,
          rate,
          sent - answered,
          acked - tracker.delivered,
          windowSent,
          windowErrors,
        );
        if (elapsed > 5_000) {
          windowSent = 0;
          windowErrors = 0;
        }
        if (abortedBecause) {
          options.log(`  ${rate} msg/s: stopping early: ${abortedBecause}`);
          break;
        }
      }
      if (now >= nextLog) {
        nextLog = now + 5_000;
        options.log(
          `  ${rate} msg/s: ${Math.round(elapsed / 1000)}/${options.seconds} s, sent ${sent}, answered ${answered}, ` +
            `delivered ${tracker.delivered}, errors ${answered - acked}`,
        );
      }
      await sleep(1);
    }
    const sendSeconds = (performance.now() - t0) / 1000;
    await pollUntil(() => answered >= sent, SEND_TIMEOUT_MS + 5_000, 100);
    const ackedMessages = [...tracker.messages.values()].filter((m) => m.ackAt !== null);
    await pollUntil(() => ackedMessages.every((m) => m.received > 0), options.graceMs, 200);
    const cpuAfter = snapshotCpu(options.cpuGroups);
    const cpuSeconds = (performance.now() - t0) / 1000;
    loopDelay.disable();

    const all = [...tracker.messages.values()];
    const delivered = ackedMessages.filter((m) => m.received > 0).length;
    const lastAt = Math.max(tracker.lastDeliveryAt, t0 + sendSeconds * 1000);
    const interruptions: Record<string, number> = {};
    for (const [what, count] of users.trouble) {
      const diff = count - (troubleBefore.get(what) ?? 0);
      if (diff > 0) interruptions[what] = diff;
    }
    return {
      phase: options.phase,
      target: rate,
      sendSeconds,
      abortedBecause,
      sent,
      acked: ackedMessages.length,
      delivered,
      lost: ackedMessages.length - delivered,
      duplicates: tracker.duplicates,
      errors,
      deliveredDespiteError: all.filter((m) => m.error !== null && m.received > 0).length,
      latency: summarize(tracker.latencies),
      ack: summarize(ackedMessages.map((m) => m.ackAt! - m.sentAt)),
      achieved: tracker.delivered / ((lastAt - t0) / 1000),
      cpu: cpuBetween(options.cpuGroups, cpuBefore, cpuAfter),
      cpuSeconds,
      generatorLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      interruptions,
    };
  } finally {
    loopDelay.disable();
    users.handler = null;
  }
}

/** A reason to stop sending now: the system is clearly not keeping up. */
function saturationSign(
  elapsedMs: number,
  rate: number,
  unanswered: number,
  undelivered: number,
  windowSent: number,
  windowErrors: number,
): string | null {
  if (elapsedMs < 5_000) return null;
  if (unanswered > rate * 4) return `${unanswered} sends unanswered (> 4 s of load)`;
  if (undelivered > rate * 10)
    return `${undelivered} answered sends not delivered yet (> 10 s of load)`;
  if (windowSent > 0 && windowErrors / windowSent > 0.2)
    return `${Math.round((100 * windowErrors) / windowSent)} % of the last sends failed`;
  return null;
}

/** Held at `p99Ms`: p99 within it, the rate reached, nothing lost, failed or duplicated. */
export function heldAt(r: RateResult, p99Ms: number): boolean {
  const failed = Object.values(r.errors).reduce((s, n) => s + n, 0);
  return (
    r.abortedBecause === null &&
    r.latency.p99 !== null &&
    r.latency.p99 <= p99Ms &&
    r.lost === 0 &&
    failed === 0 &&
    r.duplicates === 0 &&
    r.achieved >= 0.95 * r.target
  );
}

/** Clearly past the limit: no point in trying a higher rate. */
export function saturated(r: RateResult): boolean {
  const failed = Object.values(r.errors).reduce((s, n) => s + n, 0);
  return (
    r.abortedBecause !== null ||
    r.achieved < 0.9 * r.target ||
    failed > 0.05 * r.sent ||
    (r.latency.p50 ?? Infinity) > 1_000
  );
}
