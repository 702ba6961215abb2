import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestOrigin } from './http-headers.js';
import type { OriginPolicy } from './origins.js';

/**
 * `GET /trpc?socketCheck=<origin>`: whether a WebSocket upgrade from that origin, sent to
 * this same address, would be accepted — and if not, why. Browsers can't read the status of
 * a refused upgrade, so the web app asks here to tell its user what is wrong.
 * Returns true when the request was this check (and is answered).
 */
export function answerSocketCheck(
  req: IncomingMessage,
  res: ServerResponse,
  origins: OriginPolicy,
  trustProxy: boolean,
): boolean {
  if (req.method !== 'GET' || req.headers.upgrade) return false;
  const query = new URL(req.url ?? '/', 'http://x').searchParams;
  if (!query.has('socketCheck')) return false;
  const origin = query.get('socketCheck') || req.headers.origin;
  const ownOrigin = requestOrigin(req, trustProxy);
  const reason = origins.refusal(origin, ownOrigin);
  const body = JSON.stringify({
    allowed: reason === null,
    origin: origin ?? null,
    ownOrigin,
    reason,
  });
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
  return true;
}
