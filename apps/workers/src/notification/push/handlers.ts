import { AppError } from '@chat/core';
import { requireUserId, type RpcHandlers } from '@chat/api';
import { checkPushEndpoint, UnsafeEndpointError, type EndpointPolicy } from './ssrf.js';
import type { PushSubscriptions } from './subscriptions.js';

/** push.*: the VAPID public key, and the caller's own subscriptions. */
export function pushHandlers(deps: {
  subscriptions: PushSubscriptions;
  publicKey: string;
  policy: EndpointPolicy;
}): RpcHandlers<'push'> {
  return {
    'push.vapidPublicKey': () => Promise.resolve({ publicKey: deps.publicKey }),
    'push.subscribe': async (input, meta) => {
      const userId = requireUserId(meta);
      try {
        await checkPushEndpoint(input.endpoint, deps.policy);
      } catch (err) {
        if (err instanceof UnsafeEndpointError) throw new AppError('BAD_REQUEST', err.message);
        throw err;
      }
      await deps.subscriptions.subscribe(userId, { endpoint: input.endpoint, keys: input.keys });
      return { ok: true as const };
    },
    'push.unsubscribe': async (input, meta) => {
      await deps.subscriptions.unsubscribe(requireUserId(meta), input.endpoint);
      return { ok: true as const };
    },
  };
}
