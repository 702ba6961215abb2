/**
 * Origins allowed to open WebSockets and make CORS calls: the app's own (PUBLIC_URL), the
 * configured list, and — for WebSockets — the origin the request itself came in by, so a
 * page the gateway serves can always open its socket, whatever address it was opened at.
 */
export function createOriginPolicy(publicUrl: string, allowed: string[]) {
  const origins = new Set([new URL(publicUrl).origin, ...allowed.map((o) => new URL(o).origin)]);

  /** Why an upgrade from `origin` is refused, or null when it is allowed. */
  function refusal(origin: string | undefined, ownOrigin: string | null): string | null {
    // Requests without an Origin (servers, the SDK in Node, curl) are not browsers: allowed.
    if (origin === undefined || origins.has(origin)) return null;
    if (ownOrigin !== null && normalizeOrigin(origin) === ownOrigin) return null;
    const own = ownOrigin ? ` (${ownOrigin})` : '';
    return `origin ${origin} is neither this server's address${own} nor PUBLIC_URL nor in ALLOWED_ORIGINS`;
  }

  return {
    refusal,
    /** `ownOrigin`: the request's own scheme://Host (see requestOrigin), i.e. same origin. */
    allows: (origin: string | undefined, ownOrigin: string | null = null) =>
      refusal(origin, ownOrigin) === null,
    isListed(origin: string | undefined): origin is string {
      return origin !== undefined && origins.has(origin);
    },
  };
}
export type OriginPolicy = ReturnType<typeof createOriginPolicy>;

/** `scheme://host[:port]` as browsers write it (lower case, no default port); null if invalid. */
export function normalizeOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}
