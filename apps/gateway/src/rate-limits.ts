import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError, outageOf, type Logger } from '@chat/core';
import type { RateLimitRule, RateLimits } from '@chat/api';
import type { GatewayEnv } from './env.js';

/**
 * The limits of docs/api.md, shared by every gateway through Redis — except a WebSocket's
 * own per-connection limit: the connection lives on this gateway only, so it is counted in
 * memory (no Redis round trip on every call over a socket). If Redis is out, the
 * per-address (HTTP), send and typing limits let calls through (logged): an outage of the
 * limiter must not become an outage of chat. The sign-in and sign-up limits fail closed
 * with SERVICE_UNAVAILABLE instead: brute-force protection never silently switches off.
 */
export function createRateLimits(redis: Redis, env: GatewayEnv, log: Logger): RateLimits {
  const limiter = (keyPrefix: string, points: number, duration: number) =>
    new RateLimiterRedis({ storeClient: redis, keyPrefix: `rl:${keyPrefix}`, points, duration });

  const rules: Record<RateLimitRule, RateLimiterRedis> = {
    default: limiter('default', env.RATE_DEFAULT_PER_CONNECTION, env.RATE_DEFAULT_WINDOW_S),
    register: limiter('register', env.RATE_REGISTER_PER_IP, env.RATE_REGISTER_WINDOW_S),
    send: limiter('send', env.RATE_SEND_PER_USER, env.RATE_SEND_WINDOW_S),
    typing: limiter('typing', env.RATE_TYPING_PER_USER, env.RATE_TYPING_WINDOW_S),
    upload: limiter('upload', env.RATE_UPLOAD_PER_USER, env.RATE_UPLOAD_WINDOW_S),
    react: limiter('react', env.RATE_REACT_PER_USER, env.RATE_REACT_WINDOW_S),
    search: limiter('search', env.RATE_SEARCH_PER_USER, env.RATE_SEARCH_WINDOW_S),
  };
  // WebSocket connection keys (`ws:<id>`, server.ts) are this process's own.
  const perSocket = new RateLimiterMemory({
    keyPrefix: 'default',
    points: env.RATE_DEFAULT_PER_CONNECTION,
    duration: env.RATE_DEFAULT_WINDOW_S,
  });
  const limiterFor = (rule: RateLimitRule, key: string) =>
    rule === 'default' && key.startsWith('ws:') ? perSocket : rules[rule];
  const loginById = limiter(
    'login-id',
    env.RATE_LOGIN_FAILURES_PER_IDENTIFIER,
    env.RATE_LOGIN_FAILURES_WINDOW_S,
  );
  const loginByIp = limiter('login-ip', env.RATE_LOGIN_FAILURES_PER_IP, env.RATE_LOGIN_IP_WINDOW_S);

  const tooMany = (msBeforeNext: number) =>
    new AppError(
      'TOO_MANY_REQUESTS',
      `Too many requests; retry in ${Math.ceil(msBeforeNext / 1000)} s`,
      {
        retryAfterMs: msBeforeNext,
      },
    );

  /** Limits that must hold even while Redis is out (see above). */
  const failClosed = new Set<string>(['register', 'login-id', 'login-ip']);

  async function guard(
    action: () => Promise<unknown>,
    what: string,
    inRedis = true,
  ): Promise<void> {
    try {
      // While Redis reconnects a command would wait for its retries: fail at once instead,
      // with the error ioredis itself gives for a closed connection.
      if (inRedis && redis.status !== 'ready') throw new Error('Connection is closed.');
      await action();
    } catch (err) {
      if (err instanceof RateLimiterRes) throw tooMany(err.msBeforeNext);
      // Not an outage (a bug): the caller gets INTERNAL_SERVER_ERROR and the log the details.
      if (err instanceof AppError || !outageOf(err)) throw err;
      const reason = (err as Error).message;
      if (failClosed.has(what)) {
        log.warn({ err: reason, limiter: what }, 'rate limiter unavailable, refusing');
        throw new AppError(
          'SERVICE_UNAVAILABLE',
          'Sign-in and sign-up are briefly unavailable; retry shortly',
        );
      }
      log.warn({ err: reason, limiter: what }, 'rate limiter unavailable, allowing');
    }
  }

  async function assertUnder(l: RateLimiterRedis, key: string, what: string) {
    await guard(async () => {
      const res = await l.get(key);
      if (res && res.consumedPoints >= l.points) throw tooMany(res.msBeforeNext);
    }, what);
  }

  return {
    consume: (rule, key) => {
      const l = limiterFor(rule, key);
      return guard(() => l.consume(key), rule, l !== perSocket);
    },
    async assertLoginAllowed(identifier, ip) {
      await assertUnder(loginById, identifier, 'login-id');
      await assertUnder(loginByIp, ip, 'login-ip');
    },
    async recordLoginFailure(identifier, ip) {
      // Over-limit here just means the next attempt is refused by assertLoginAllowed.
      await Promise.allSettled([loginById.consume(identifier), loginByIp.consume(ip)]);
    },
    async recordLoginSuccess(identifier) {
      await loginById.delete(identifier).catch(() => undefined);
    },
  };
}
