import type { DomainEvent } from '@chat/bus';
import { PARTITIONS, requireUserId, type RpcHandlers } from '@chat/api';
import { notificationsModels } from '@chat/db';
import { createNotificationMetrics } from '../metrics.js';
import type { WorkerDefinition } from '../runtime.js';
import { Contacts } from './contacts.js';
import { eventLogFromEnv } from '../event-log/event-log.js';
import { Fanout, FANOUT_USER_EVENTS } from './fanout.js';
import { DisplayNames } from '../notices/display-names.js';
import { NotificationStore } from '../notices/notification-store.js';
import { pushHandlers } from './push/handlers.js';
import { Pusher } from './push/pusher.js';
import type { EndpointPolicy } from './push/ssrf.js';
import { PushSubscriptions } from './push/subscriptions.js';

/**
 * Fans chat and user events out to per-user event logs and notifications (Redis), and Web
 * Pushes to recipients with no open socket (subscriptions in MongoDB).
 */
export const notificationWorker: WorkerDefinition = {
  name: 'notification',
  // Web Push subscriptions; everything else it keeps lives in Redis.
  database: 'notifications',
  async start({ env, log, events: domainEvents, redis, rpc, serve, balance, metrics, db, onStop }) {
    const { appends, pushes } = createNotificationMetrics(metrics.registry);
    const events = eventLogFromEnv(redis, env, appends);
    const notifications = new NotificationStore(redis, env.NOTIFICATION_TTL_S * 1000);
    const subscriptions = new PushSubscriptions(
      await notificationsModels(db),
      env.PUSH_MAX_SUBSCRIPTIONS_PER_USER,
    );
    // Loopback endpoints only outside production (local push endpoints of tests).
    const policy: EndpointPolicy = { production: env.NODE_ENV === 'production' };
    const push = new Pusher({
      log,
      redis,
      subscriptions,
      delivery: {
        vapid: {
          subject: env.VAPID_SUBJECT,
          publicKey: env.VAPID_PUBLIC_KEY,
          privateKey: env.VAPID_PRIVATE_KEY,
        },
        policy,
        ttlS: env.PUSH_TTL_S,
        timeoutMs: env.PUSH_TIMEOUT_MS,
      },
      concurrency: env.PUSH_CONCURRENCY,
      maxQueued: env.PUSH_QUEUE_MAX,
      deliveries: pushes,
    });
    // Stops run after the bus drained, so no push is queued any more; a slow push service
    // must not stretch the shutdown past its grace period, so what still waits is dropped.
    onStop(() => push.stop());
    const fanout = new Fanout({
      log,
      redis,
      events,
      notifications,
      names: new DisplayNames(rpc),
      contacts: new Contacts(rpc),
      push,
    });

    const handlers: RpcHandlers<'notification'> = {
      'notification.list': (input, meta) => notifications.list(requireUserId(meta), input.limit),
      'notification.markRead': async (input, meta) => ({
        unread: await notifications.markRead(requireUserId(meta), input.ids),
      }),
    };
    await serve({
      ...handlers,
      ...pushHandlers({ subscriptions, publicKey: env.VAPID_PUBLIC_KEY, policy }),
    });

    const control = await domainEvents.subscribe({
      queue: 'notification.chat_events',
      exchange: 'chat_events',
      types: [
        'message.sent',
        'message.status.updated',
        'conversation.updated',
        'message.deleted',
        'message.updated',
      ],
      handler: (event) => fanout.handle(event),
      // One active consumer per partition across replicas, and within it one conversation's
      // events one after another: they reach every log in the order the owner published them.
      partitions: PARTITIONS,
      orderKey: conversationIdOf,
    });
    await balance(control);
    await domainEvents.subscribe({
      queue: 'notification.user_events',
      exchange: 'user_events',
      types: FANOUT_USER_EVENTS,
      handler: (event) => fanout.handle(event),
    });
  },
};

/** The conversation a chat event belongs to. */
function conversationIdOf(event: DomainEvent<'chat_events'>): string {
  switch (event.type) {
    case 'message.sent':
    case 'message.updated':
      return event.data.message.conversationId;
    case 'conversation.updated':
      return event.data.conversation.id;
    default:
      return event.data.conversationId;
  }
}
