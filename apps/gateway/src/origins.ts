/** Origins allowed to open WebSockets and make CORS calls: the app's own plus the configured list. */
export function createOriginPolicy(publicUrl: string, allowed: string[]) {
  const origins = new Set([new URL(publicUrl).origin, ...allowed.map((o) => new URL(o).origin)]);
  return {
    /** Requests without an Origin (servers, the SDK in Node, curl) are not browsers: allowed. */
    allows(origin: string | undefined): boolean {
      return origin === undefined || origins.has(origin);
    },
    isListed(origin: string | undefined): origin is string {
      return origin !== undefined && origins.has(origin);
    },
  };
}
export type OriginPolicy = ReturnType<typeof createOriginPolicy>;
