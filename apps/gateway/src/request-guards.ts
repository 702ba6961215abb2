import type { IncomingMessage, ServerResponse } from 'node:http';
import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';

/** What /trpc answers: queries (GET), mutations (POST) and CORS preflights (OPTIONS). */
export const TRPC_METHODS = ['GET', 'POST', 'OPTIONS'] as const;
const ALLOW = TRPC_METHODS.join(', ');

/**
 * Whether the request's URL can be read: its Host makes a valid base and its path
 * percent-decodes. tRPC and the static handler throw on such URLs (a 500, or for an
 * upgrade an uncaught exception), so they are refused before reaching them.
 */
export function isReadableUrl(req: IncomingMessage): boolean {
  try {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    decodeURIComponent(url.pathname);
    return true;
  } catch {
    return false;
  }
}

/** An error in tRPC's own JSON shape, so clients read `error.data.code` as usual. */
export function sendTrpcError(
  res: ServerResponse,
  code: TRPC_ERROR_CODE_KEY,
  httpStatus: number,
  message: string,
  headers: Record<string, string> = {},
  data: Record<string, unknown> = {},
): void {
  const body = JSON.stringify({
    error: { message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus, ...data } },
  });
  res
    .writeHead(httpStatus, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...headers,
    })
    .end(body);
}

/**
 * Answers what tRPC would turn into a 500: a method other than GET/POST/OPTIONS on /trpc
 * (405 with Allow). Returns true when the request is fully handled.
 */
export function refuseUnsupportedMethod(req: IncomingMessage, res: ServerResponse): boolean {
  const method = req.method ?? '';
  if ((TRPC_METHODS as readonly string[]).includes(method)) return false;
  sendTrpcError(
    res,
    'METHOD_NOT_SUPPORTED',
    405,
    `${method} is not supported on /trpc: use GET for queries and POST for mutations`,
    { allow: ALLOW },
  );
  return true;
}
