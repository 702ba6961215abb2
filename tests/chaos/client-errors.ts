import { TRPCClientError } from '@chat/sdk';

/**
 * What a client saw when a call failed: the tRPC error code, or `NETWORK` (no answer:
 * refused, reset, not JSON) or `TIMEOUT` (our own deadline).
 */
export function errorCode(err: unknown): string {
  if (err instanceof TRPCClientError) {
    const code = (err.data as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string') return code;
    if (isTimeout(err.cause) || isTimeout(err)) return 'TIMEOUT';
    return 'NETWORK';
  }
  return isTimeout(err) ? 'TIMEOUT' : 'NETWORK';
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

/** `retryAfterMs` of a TOO_MANY_REQUESTS answer, if any. */
export function retryAfterMs(err: unknown): number | null {
  if (!(err instanceof TRPCClientError)) return null;
  const ms = (err.data as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return typeof ms === 'number' && ms >= 0 ? ms : null;
}

/**
 * Answers that mean "this call did nothing, or nothing a retry with the same clientId can
 * double" (docs/api.md). INTERNAL_SERVER_ERROR is not among them by contract; the suite still
 * retries it (a person would press "retry") but every one shows in the table.
 */
const PERMANENT = new Set([
  'BAD_REQUEST',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'METHOD_NOT_SUPPORTED',
  'UNPROCESSABLE_CONTENT',
]);

/** False for answers where repeating the call can't help (a bug in the suite or the API). */
export const worthRetrying = (code: string) => !PERMANENT.has(code);

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** 200 ms doubling up to `capMs`, with jitter so retrying clients don't march in step. */
export const backoffMs = (attempt: number, capMs = 2_000) =>
  Math.min(capMs, 200 * 2 ** Math.min(attempt, 10)) * (0.5 + Math.random() / 2);
