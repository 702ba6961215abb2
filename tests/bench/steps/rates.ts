/**
 * Steps 2–3: the rate ladder (stop once a rate clearly saturates), then a short bisection
 * for the highest rate held at each latency bound (p99 ≤ 100 ms, ≤ 50 ms).
 */
import type { ConnectedUsers } from '../population.js';
import {
  heldAt,
  runSustained,
  saturated,
  type RateResult,
  type SustainedOptions,
} from './sustained.js';

export interface HighestHeld {
  p99Ms: number;
  /** Highest rate held (0: none of the rates tried). */
  rate: number;
  /** Lowest rate tried above it that was not held (null: none; the limit lies higher). */
  failedAt: number | null;
}

export interface LadderOptions {
  rates: readonly number[];
  seconds: number;
  bisectProbes: number;
  bisectSeconds: number;
  bounds: readonly number[];
  common: Omit<SustainedOptions, 'rate' | 'seconds' | 'phase'>;
  /** Runs between steps: lets a backlog drain. */
  between: () => Promise<void>;
}

/** Results so far: filled step by step, so an interrupted run keeps what it measured. */
export interface LadderResults {
  steps: RateResult[];
  highest: HighestHeld[];
}

export async function runLadder(
  users: ConnectedUsers,
  options: LadderOptions,
  out: LadderResults = { steps: [], highest: [] },
): Promise<LadderResults> {
  const steps = out.steps;
  const log = options.common.log;
  const run = async (rate: number, seconds: number, phase: RateResult['phase']) => {
    if (steps.length > 0) await options.between();
    log(`▸ ${rate} msg/s for ${seconds} s (${phase})`);
    const result = await runSustained(users, { ...options.common, rate, seconds, phase });
    log(`  ${describe(result)}`);
    steps.push(result);
    return result;
  };

  for (const rate of options.rates) {
    const result = await run(rate, options.seconds, 'ladder');
    if (saturated(result)) {
      log(`  ${rate} msg/s saturates the system: not trying higher rates`);
      break;
    }
  }

  const highest = out.highest;
  for (const bound of options.bounds) {
    for (let probe = 0; probe < options.bisectProbes; probe++) {
      const { rate: lo, failedAt: hi } = highestHeld(steps, bound);
      if (hi === null || hi - lo <= Math.max(10, lo * 0.1)) break;
      const mid = Math.round(lo === 0 ? hi / 2 : (lo + hi) / 2);
      if (steps.some((s) => s.target === mid)) break;
      await run(mid, options.bisectSeconds, 'bisect');
    }
    highest.push(highestHeld(steps, bound));
  }
  return out;
}

/** From the steps so far: the highest rate held at `p99Ms` and the next one tried that failed. */
export function highestHeld(steps: readonly RateResult[], p99Ms: number): HighestHeld {
  const held = steps.filter((s) => heldAt(s, p99Ms)).map((s) => s.target);
  const rate = held.length ? Math.max(...held) : 0;
  const above = steps.filter((s) => s.target > rate && !heldAt(s, p99Ms)).map((s) => s.target);
  return { p99Ms, rate, failedAt: above.length ? Math.min(...above) : null };
}

export function describe(r: RateResult): string {
  const failed = Object.values(r.errors).reduce((s, n) => s + n, 0);
  const ms = (v: number | null) => (v === null ? '–' : `${v.toFixed(1)}`);
  return (
    `achieved ${r.achieved.toFixed(0)} msg/s, p50/p95/p99 ${ms(r.latency.p50)}/${ms(r.latency.p95)}/${ms(r.latency.p99)} ms, ` +
    `sent ${r.sent}, lost ${r.lost}, duplicated ${r.duplicates}, errors ${failed}` +
    (r.abortedBecause ? ` (stopped early: ${r.abortedBecause})` : '')
  );
}
