import type { IncomingMessage } from 'node:http';

/** The headers a socket's calls read: Host (URL), Authorization, X-Forwarded-For, trace context. */
const KEPT_HEADERS = [
  'host',
  'authorization',
  'x-forwarded-for',
  'traceparent',
  'tracestate',
  'baggage',
] as const;

/**
 * What a WebSocket's calls read from its upgrade request — URL, method, the headers above
 * and the socket — copied out of the IncomingMessage. tRPC keeps the request it is given
 * for as long as the socket is open; the whole message (parsed and raw headers, stream
 * state) is ≈ 1.5 KiB of every idle connection.
 */
export function upgradeRequestFacts(req: IncomingMessage): IncomingMessage {
  const headers: Record<string, string | string[]> = {};
  for (const name of KEPT_HEADERS) {
    const value = req.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const facts: Pick<IncomingMessage, 'url' | 'method' | 'headers' | 'socket'> = {
    url: req.url,
    method: req.method,
    headers,
    socket: req.socket,
  };
  return facts as IncomingMessage;
}
