import { usersModels } from '@chat/db';
import {
  createDispatcher,
  requireUserId,
  userCreatedEventSchema,
  type RpcHandlers,
} from '@chat/api';
import type { WorkerDefinition } from '../runtime.js';
import { ProfileCache } from './profile-cache.js';
import { Presence } from './presence.js';
import { Profiles } from './profiles.js';

export const userWorker: WorkerDefinition = {
  name: 'user',
  database: 'users',
  async start({ env, log, bus, db, redis, onStop }) {
    const profiles = new Profiles(
      await usersModels(db),
      new ProfileCache(redis, env.PROFILE_CACHE_TTL_S, log),
    );
    const presence = new Presence({ profiles, redis, bus, log });

    const handlers: RpcHandlers<'user'> = {
      'user.me': (_input, meta) => profiles.me(requireUserId(meta)),
      'user.byId': (input, meta) => {
        requireUserId(meta);
        return profiles.byId(input.userId);
      },
      'user.search': (input, meta) => profiles.search(requireUserId(meta), input),
      'user.updateProfile': (input, meta) => profiles.update(requireUserId(meta), input),
      'user.setStatus': (input, meta) => presence.setStatus(requireUserId(meta), input, meta),
      'user.provision': (input) => profiles.provision(input),
      'user.existing': async (input) => ({ userIds: await profiles.existing(input.userIds) }),
      // The gateway's hint (`online`) only triggers a re-check: the sockets in Redis decide.
      'user.presence': async (_input, meta) => {
        await presence.refresh(requireUserId(meta), meta);
        return { ok: true };
      },
    };
    await bus.serve('user', createDispatcher(handlers));

    presence.startSweeper(env.PRESENCE_SWEEP_INTERVAL_MS);
    onStop(() => presence.stop());

    await bus.subscribe({
      queue: 'user.user_events',
      exchange: 'user_events',
      routingKeys: ['user.created'],
      async handler(event, log) {
        const { id, username, email } = userCreatedEventSchema.parse(event.data);
        await profiles.provision({ id, username, email });
        log.info({ userId: id }, 'profile provisioned from user.created');
      },
    });
  },
};
