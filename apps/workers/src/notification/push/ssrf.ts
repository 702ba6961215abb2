import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * The SSRF guard of push endpoints: the worker POSTs to whatever URL a browser (or anyone
 * with a token) hands it, so it must never become a way to reach the cluster's own network.
 * Pure apart from the resolver, which tests replace.
 */

export interface ResolvedAddress {
  address: string;
  family: number;
}
/** Every address a host name resolves to (dns.lookup with `all`). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true });

export interface EndpointPolicy {
  /** Production refuses loopback too; elsewhere loopback is allowed (local tests, dev). */
  production: boolean;
  resolve?: Resolver;
}

/** An endpoint that passed: where to connect (the first checked address, pinned). */
export interface CheckedEndpoint {
  url: URL;
  addresses: ResolvedAddress[];
}

export class UnsafeEndpointError extends Error {
  override name = 'UnsafeEndpointError';
}

/**
 * Checks an endpoint URL: https, no credentials, and a host that is — and resolves only to —
 * public unicast addresses. Throws UnsafeEndpointError with a reason a client can read.
 */
export async function checkPushEndpoint(
  endpoint: string,
  policy: EndpointPolicy,
): Promise<CheckedEndpoint> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new UnsafeEndpointError('endpoint is not a URL');
  }
  if (url.protocol !== 'https:') throw new UnsafeEndpointError('endpoint must be an https URL');
  if (url.username || url.password)
    throw new UnsafeEndpointError('endpoint must not carry credentials');
  // URL keeps IPv6 literals in brackets.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: ResolvedAddress[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await (policy.resolve ?? systemResolver)(host);
    } catch {
      throw new UnsafeEndpointError(`endpoint host ${host} does not resolve`);
    }
    if (addresses.length === 0)
      throw new UnsafeEndpointError(`endpoint host ${host} does not resolve`);
  }
  // Every address must pass: a name with one public and one private record is refused.
  for (const { address } of addresses) {
    const reason = forbiddenReason(address, policy.production);
    if (reason) {
      const via = address === host ? '' : ` (${host} resolves to ${address})`;
      throw new UnsafeEndpointError(`endpoint points at a ${reason} address${via}`);
    }
  }
  return { url, addresses };
}

/** Why an address must not be contacted, or null when it is public unicast (or allowed loopback). */
export function forbiddenReason(address: string, production: boolean): string | null {
  const family = isIP(address);
  if (family === 4) return forbiddenV4(ipv4Bytes(address)!, production);
  if (family === 6) {
    const bytes = ipv6Bytes(address);
    return bytes ? forbiddenV6(bytes, production) : 'malformed';
  }
  return 'malformed';
}

function forbiddenV4(b: number[], production: boolean): string | null {
  const [a, c] = [b[0]!, b[1]!];
  if (a === 127) return production ? 'loopback' : null;
  if (a === 0) return 'unspecified';
  if (a === 10 || (a === 172 && c >= 16 && c < 32) || (a === 192 && c === 168)) return 'private';
  if (a === 169 && c === 254) return 'link-local';
  if (a === 100 && c >= 64 && c < 128) return 'shared (CGNAT)';
  if (a === 192 && c === 0 && b[2] === 0) return 'reserved';
  if (a === 198 && (c === 18 || c === 19)) return 'reserved';
  if (a >= 224 && a < 240) return 'multicast';
  if (a >= 240) return 'reserved';
  return null;
}

function forbiddenV6(b: number[], production: boolean): string | null {
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zero(0, 15) && b[15] === 0) return 'unspecified';
  if (zero(0, 15) && b[15] === 1) return production ? 'loopback' : null;
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::/96) carry
  // an IPv4 address that the network may well reach: judge that one.
  const mapped = zero(0, 10) && b[10] === 0xff && b[11] === 0xff;
  const nat64 = b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(4, 12);
  if (mapped || nat64 || zero(0, 12)) return forbiddenV4(b.slice(12), production);
  // 6to4 (2002::/16) embeds one in bytes 2..5.
  if (b[0] === 0x20 && b[1] === 0x02) return forbiddenV4(b.slice(2, 6), production);
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return 'link-local';
  if ((b[0]! & 0xfe) === 0xfc) return 'private (unique local)';
  if (b[0] === 0xff) return 'multicast';
  return null;
}

function ipv4Bytes(address: string): number[] | null {
  const parts = address.split('.').map(Number);
  return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p < 256)
    ? parts
    : null;
}

/** The 16 bytes of an IPv6 address (`::` and a trailing dotted quad expanded). */
function ipv6Bytes(address: string): number[] | null {
  let text = address.replace(/%.*$/, ''); // zone id
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const v4 = ipv4Bytes(quad[1]!);
    if (!v4) return null;
    const hex = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
    text = `${text.slice(0, -quad[1]!.length)}${hex(v4[0]!, v4[1]!)}:${hex(v4[2]!, v4[3]!)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string) => (s ? s.split(':') : []);
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return null;
  const bytes: number[] = [];
  for (const word of [...left, ...Array<string>(missing).fill('0'), ...right]) {
    if (!/^[0-9a-f]{1,4}$/i.test(word)) return null;
    const n = parseInt(word, 16);
    bytes.push(n >> 8, n & 0xff);
  }
  return bytes;
}
