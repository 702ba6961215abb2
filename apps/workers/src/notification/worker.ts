import type { DomainEvent } from '@chat/bus';
import { PARTITIONS, requireUserId, type RpcHandlers } from '@chat/api';
import { createNotificationMetrics } from '../metrics.js';
import type { WorkerDefinition } from '../runtime.js';
import { Contacts } from './contacts.js';
import { EventLog } from './event-log.js';
import { Fanout, FANOUT_USER_EVENTS } from './fanout.js';
import { DisplayNames } from './names.js';
import { NotificationStore } from './notifications.js';

/** Fans chat and user events out to per-user event logs and notifications (Redis). */
export const notificationWorker: WorkerDefinition = {
  name: 'notification',
  // Owns no MongoDB data: everything it keeps lives in Redis.
  database: 'notifications',
  async start({ env, log, events: domainEvents, redis, rpc, serve, balance, metrics }) {
    const { appends } = createNotificationMetrics(metrics.registry);
    const events = new EventLog(redis, {
      maxEvents: env.EVENT_LOG_MAX_EVENTS,
      maxAgeMs: env.EVENT_LOG_MAX_AGE_S * 1000,
      dedupeWindowMs: env.EVENT_DEDUPE_WINDOW_S * 1000,
      sharedBodyTtlMs: env.EVENT_SHARED_BODY_TTL_S * 1000,
      onAppended: (appended, duplicates) => {
        appends.inc({ outcome: 'appended' }, appended);
        appends.inc({ outcome: 'duplicate' }, duplicates);
      },
    });
    const notifications = new NotificationStore(redis, env.NOTIFICATION_TTL_S * 1000);
    const fanout = new Fanout({
      log,
      redis,
      events,
      notifications,
      names: new DisplayNames(rpc),
      contacts: new Contacts(rpc),
    });

    const handlers: RpcHandlers<'notification'> = {
      'notification.list': (input, meta) => notifications.list(requireUserId(meta), input.limit),
      'notification.markRead': async (input, meta) => ({
        unread: await notifications.markRead(requireUserId(meta), input.ids),
      }),
    };
    await serve(handlers);

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
