/** Timing helpers of the store benchmark: samples in milliseconds, summarised as p50/p99. */

export interface Summary {
  n: number;
  p50: number;
  p99: number;
}

export function summarise(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : NaN;
  return { n: sorted.length, p50: at(0.5), p99: at(0.99) };
}

/** Runs `op` `warmup + n` times one after another; returns the last n durations. */
export async function sample(n: number, op: (i: number) => Promise<unknown>, warmup = 2) {
  const out: number[] = [];
  for (let i = 0; i < warmup + n; i++) {
    const t0 = performance.now();
    await op(i);
    if (i >= warmup) out.push(performance.now() - t0);
  }
  return out;
}

/** Runs `op` from `concurrency` loops for `ms`; returns completed operations per second. */
export async function throughput(
  concurrency: number,
  ms: number,
  op: (worker: number, i: number) => Promise<unknown>,
): Promise<number> {
  const until = performance.now() + ms;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; performance.now() < until; i++) {
        await op(worker, i);
        done++;
      }
    }),
  );
  return (done * 1000) / (performance.now() - started);
}

export const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
