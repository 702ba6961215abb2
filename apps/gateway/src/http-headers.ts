import type { IncomingMessage, ServerResponse } from 'node:http';
import { normalizeOrigin, type OriginPolicy } from './origins.js';

/** Headers for every response; the CSP only matters for the HTML the gateway may serve. */
export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' https: data: blob:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'self'",
  );
}

/** CORS for listed origins; answers preflights. Returns true when the request is fully handled. */
export function handleCors(
  req: IncomingMessage,
  res: ServerResponse,
  policy: OriginPolicy,
): boolean {
  const origin = req.headers.origin;
  res.setHeader('Vary', 'Origin');
  if (policy.isListed(origin)) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader(
      'Access-Control-Allow-Headers',
      'authorization, content-type, x-request-id, trpc-accept',
    );
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.setHeader('Access-Control-Expose-Headers', 'x-request-id');
    res.setHeader('Access-Control-Max-Age', '600');
  }
  if (req.method === 'OPTIONS') {
    res.writeHead(policy.isListed(origin) ? 204 : 403).end();
    return true;
  }
  return false;
}

/** The caller's address; X-Forwarded-For only counts behind a proxy we run. */
export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

/** A client-supplied X-Request-Id is kept if it looks sane, so logs join up across systems. */
export function requestIdFrom(req: IncomingMessage): string | null {
  const value = req.headers['x-request-id'];
  return typeof value === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(value) ? value : null;
}

export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1] ?? null;
}

const firstValue = (header: string | string[] | undefined) =>
  (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim() || undefined;

/**
 * The origin the client reached us by: scheme and Host as its browser saw them. Behind a
 * proxy we run (`trustProxy`) they come from X-Forwarded-Proto / X-Forwarded-Host; otherwise
 * those headers are ignored and the scheme is that of our own socket.
 */
export function requestOrigin(req: IncomingMessage, trustProxy: boolean): string | null {
  const encrypted = 'encrypted' in req.socket && req.socket.encrypted === true;
  const scheme =
    (trustProxy ? firstValue(req.headers['x-forwarded-proto']) : undefined) ??
    (encrypted ? 'https' : 'http');
  const host =
    (trustProxy ? firstValue(req.headers['x-forwarded-host']) : undefined) ?? req.headers.host;
  return host ? normalizeOrigin(`${scheme}://${host}`) : null;
}
