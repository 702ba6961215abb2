/** tRPC over HTTP, as `curl` would call it (docs/api.md "Transport"): set-up calls of the benchmark. */

export class ApiCallError extends Error {
  constructor(
    readonly procedure: string,
    /** tRPC error code (`BAD_REQUEST`, …), or `HTTP_<status>` / `NETWORK` without a tRPC body. */
    readonly code: string,
    message: string,
  ) {
    super(`${procedure}: ${code}: ${message}`);
  }
}

interface TrpcHttpBody {
  result?: { data?: unknown };
  error?: { message?: string; data?: { code?: string } };
}

/** POSTs a mutation (or GETs a query) on `baseUrl`/trpc; throws ApiCallError on any failure. */
export async function callHttp<T>(
  baseUrl: string,
  procedure: string,
  input: unknown,
  options: { token?: string; kind?: 'mutation' | 'query'; timeoutMs?: number } = {},
): Promise<T> {
  const kind = options.kind ?? 'mutation';
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const url =
    kind === 'query'
      ? `${baseUrl}/trpc/${procedure}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`
      : `${baseUrl}/trpc/${procedure}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: kind === 'query' ? 'GET' : 'POST',
      headers,
      body: kind === 'query' ? undefined : JSON.stringify(input ?? null),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (err) {
    const name = (err as Error).name;
    throw new ApiCallError(
      procedure,
      name === 'TimeoutError' ? 'CLIENT_TIMEOUT' : 'NETWORK',
      (err as Error).message,
    );
  }
  const text = await res.text();
  let body: TrpcHttpBody | null = null;
  try {
    body = JSON.parse(text) as TrpcHttpBody;
  } catch {
    body = null;
  }
  if (res.ok && body?.result) return body.result.data as T;
  throw new ApiCallError(
    procedure,
    body?.error?.data?.code ?? `HTTP_${res.status}`,
    body?.error?.message ?? text.slice(0, 200),
  );
}

/** Answers docs/api.md calls safe to retry, and what a client sees when the server is swamped. */
const RETRYABLE = new Set([
  'SERVICE_UNAVAILABLE',
  'GATEWAY_TIMEOUT',
  'TOO_MANY_REQUESTS',
  'CLIENT_TIMEOUT',
  'NETWORK',
]);

/** Retries of set-up calls so far, by error code (reported with the results). */
export const setUpRetries = new Map<string, number>();

/**
 * Calls `fn` until it succeeds or fails with a non-retryable error, backing off from
 * 0.5 s to 16 s (8 attempts, ≈ 1 min). `attempt` lets a caller adapt a retry (e.g. a
 * sign-up whose first try succeeded although its answer was lost).
 */
export async function withRetries<T>(
  fn: (attempt: number) => Promise<T>,
  attempts = 8,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!(err instanceof ApiCallError) || !RETRYABLE.has(err.code) || attempt >= attempts)
        throw err;
      setUpRetries.set(err.code, (setUpRetries.get(err.code) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, Math.min(16_000, 500 * 2 ** (attempt - 1))));
    }
  }
}
