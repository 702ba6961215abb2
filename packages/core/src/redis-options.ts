/**
 * ioredis options for every process. While Redis is down, a command waits in the offline
 * queue until `maxRetriesPerRequest + 1` reconnect attempts failed, then fails with
 * MaxRetriesPerRequestError (SERVICE_UNAVAILABLE for the caller, see toAppError). Capping the
 * reconnect delay at 1 s bounds that wait to about 2 s — well inside the RPC deadline, so a
 * caller hears "unavailable, retry" instead of a timeout after which the work still happens.
 */
export const redisClientOptions = {
  lazyConnect: true,
  maxRetriesPerRequest: 1,
  retryStrategy: (times: number) => Math.min(times * 200, 1_000),
};
