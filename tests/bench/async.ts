/** Small async helpers: every wait of the benchmark is bounded. */

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class TimeoutError extends Error {}

/** Rejects with TimeoutError naming `what` if `promise` has not settled after `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new TimeoutError(`timed out after ${Math.round(ms / 1000)} s: ${what}`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `done` every `everyMs` until true or `ms` passed; returns whether it became true. */
export async function pollUntil(done: () => boolean, ms: number, everyMs = 50): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await sleep(everyMs);
  }
  return true;
}

/**
 * Runs `fn` over `items` with at most `limit` in flight; results in input order.
 * The first failure stops starting new items and is rethrown once running ones finish.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  onProgress?: (done: number) => void,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  let failure: unknown = null;
  const worker = async () => {
    while (failure === null && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (err) {
        failure ??= err;
      }
      onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== null) throw failure;
  return results;
}

/** Calls `print` at most every `everyMs` (progress lines on long steps). */
export function throttled(everyMs: number, print: (line: string) => void): (line: string) => void {
  let last = 0;
  return (line) => {
    const now = performance.now();
    if (now - last < everyMs) return;
    last = now;
    print(line);
  };
}
