import { usersModels } from '@chat/db';
import { requireUserId, type RpcHandlers } from '@chat/api';
import type { WorkerDefinition } from '../runtime.js';
import { ProfileCache } from './profile-cache.js';
import { Presence } from './presence.js';
import { Profiles } from './profiles.js';

export const userWorker: WorkerDefinition = {
  name: 'user',
  database: 'users',
  async start({ env, log, events, db, redis, onStop, serve }) {
    const profiles = new Profiles(
      await usersModels(db),
      new ProfileCache(redis, env.PROFILE_CACHE_TTL_S, log),
    );
    const presence = new Presence({
      profiles,
      redis,
      events,
      log,
      offlineGraceMs: env.PRESENCE_OFFLINE_GRACE_MS,
      stormGraceMs: env.PRESENCE_STORM_GRACE_MS,
    });

    const handlers: RpcHandlers<'user'> = {
      'user.me': (_input, meta) => profiles.me(requireUserId(meta)),
      'user.byId': (input, meta) => {
        requireUserId(meta);
        return profiles.byId(input.userId);
      },
      'user.search': (input, meta) => profiles.search(requireUserId(meta), input),
      'user.updateProfile': async (input, meta) => {
        const me = await profiles.update(requireUserId(meta), input);
        // Other services show the display name (notification titles) from their own copy.
        await events.publish(
          'user_events',
          'user.profile.updated',
          { id: me.id, displayName: me.displayName },
          meta,
        );
        return me;
      },
      'user.setStatus': (input, meta) => presence.setStatus(requireUserId(meta), input, meta),
      'user.provision': (input) => profiles.provision(input),
      'user.existing': async (input) => ({ userIds: await profiles.existing(input.userIds) }),
      // A gateway saw these users' first socket open or last one close: a hint to re-check,
      // batched so a connect storm costs one call per batch; the sockets in Redis decide.
      'user.presence': async (input, meta) => {
        const storm = input.storm === true;
        if (storm) presence.stormReported();
        await Promise.all(input.userIds.map((userId) => presence.refresh(userId, meta, storm)));
        return { ok: true as const };
      },
    };
    await serve(handlers);

    presence.startSweeper(env.PRESENCE_SWEEP_INTERVAL_MS);
    onStop(() => presence.stop());

    await events.subscribe({
      queue: 'user.user_events',
      exchange: 'user_events',
      types: ['user.created'],
      async handler(event, log) {
        const { id, username, email } = event.data;
        await profiles.provision({ id, username, email });
        log.info({ userId: id }, 'profile provisioned from user.created');
      },
    });
  },
};
