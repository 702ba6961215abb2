/** tRPC over HTTP, as `curl` would call it (API.md "Transport"): set-up calls of the benchmark. */

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
