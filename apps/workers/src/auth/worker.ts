import { authModels } from '@chat/db';
import type { RpcHandlers } from '@chat/api';
import type { WorkerDefinition } from '../runtime.js';
import { Accounts } from './accounts.js';
import { Passwords } from './passwords.js';
import { Sessions } from './sessions.js';

const PRUNE_EVERY_MS = 60 * 60_000;

export const authWorker: WorkerDefinition = {
  name: 'auth',
  database: 'auth',
  async start({ env, log, events, rpc, db, onStop, serve }) {
    const models = await authModels(db);
    const jwt = { issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE };
    const sessions = new Sessions(models, {
      access: { ...jwt, secret: env.JWT_ACCESS_SECRET, ttlSeconds: env.ACCESS_TOKEN_TTL_S },
      refresh: { ...jwt, secret: env.JWT_REFRESH_SECRET, ttlSeconds: env.REFRESH_TOKEN_TTL_S },
    });
    const accounts = new Accounts({
      models,
      sessions,
      events,
      rpc,
      passwords: await Passwords.create(env.BCRYPT_COST),
    });

    const handlers: RpcHandlers<'auth'> = {
      'auth.register': (input, meta, log) => accounts.register(input, meta, log),
      'auth.login': (input, meta, log) => accounts.login(input, meta, log),
      'auth.refresh': (input, _meta, log) => sessions.rotate(input.refreshToken, log),
      'auth.logout': async (input) => {
        await sessions.end(input.refreshToken);
        return { ok: true as const };
      },
    };
    await serve(handlers);

    const sweep = setInterval(() => {
      accounts.sweepOutbox(log).catch((err: unknown) => log.warn({ err }, 'outbox sweep failed'));
    }, env.USER_CREATED_SWEEP_INTERVAL_MS);
    const prune = setInterval(() => {
      sessions.prune().then(
        (n) => n && log.info({ deleted: n }, 'pruned expired refresh tokens'),
        (err: unknown) => log.warn({ err }, 'refresh token prune failed'),
      );
    }, PRUNE_EVERY_MS);
    onStop(() => {
      clearInterval(sweep);
      clearInterval(prune);
    });
  },
};
