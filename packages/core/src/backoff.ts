/** Exponential backoff with full jitter, so restarting replicas don't retry in lockstep. */
export function backoffDelay(attempt: number, baseMs = 200, maxMs = 10_000): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retries `fn` until it resolves or `attempts` run out, logging each failure. */
export async function retry<T>(
  fn: () => Promise<T>,
  opts: { attempts: number; onError?: (err: unknown, attempt: number, delayMs: number) => void },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= opts.attempts) throw err;
      const delay = backoffDelay(attempt);
      opts.onError?.(err, attempt, delay);
      await sleep(delay);
    }
  }
}
