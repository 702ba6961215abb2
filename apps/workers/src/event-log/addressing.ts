import type { BusEventData, BusEventType, StoredEvent } from '@chat/api';
import type { Append } from './event-log.js';

/** A chat event as the owner publishes it: its id names it in every log's dedupe key. */
export type ChatEvent = {
  [K in BusEventType<'chat_events'>]: { id: string; type: K; data: BusEventData<'chat_events', K> };
}[BusEventType<'chat_events'>];

/**
 * The stored events a chat event puts in its audience's logs, each user's own patch
 * included (their unread count and mute). The same for the conversation's owner, which
 * appends them as the change happens, and for the notification worker, which appends them
 * when the owner could not: the dedupe keys (per logical event) make either one a no-op
 * after the other. Notifications are not here: only the notification worker makes those.
 */
export function storedAppends(event: ChatEvent): Append[] {
  switch (event.type) {
    case 'message.sent': {
      const { message } = event.data;
      const stored: StoredEvent = { type: 'message.new', message };
      return unique(event.data.audience).map((userId) => ({
        userId,
        dedupeKey: `msg:${message.id}`,
        event: stored,
      }));
    }
    case 'message.status.updated': {
      const { data } = event;
      const stored: StoredEvent = {
        type: 'message.status',
        conversationId: data.conversationId,
        messageIds: data.messageIds,
        userId: data.userId,
        status: data.status,
        at: data.at,
      };
      return unique(data.audience).map((userId) => ({
        userId,
        dedupeKey: `status:${event.id}`,
        event: stored,
      }));
    }
    case 'conversation.updated': {
      const { data } = event;
      // One event for all (a large group's participants list is big); each their own count.
      const stored: StoredEvent = {
        type: 'conversation.updated',
        conversation: { ...data.conversation, unreadCount: 0, mutedUntil: null },
      };
      return unique(data.audience).map((userId) => {
        const unreadCount = data.unread[userId] ?? 0;
        const mutedUntil = data.mutedUntil[userId];
        const own = {
          ...(unreadCount > 0 ? { unreadCount } : {}),
          ...(mutedUntil ? { mutedUntil } : {}),
        };
        return {
          userId,
          dedupeKey: `conv:${event.id}`,
          event: stored,
          ...(Object.keys(own).length > 0 ? { patch: { conversation: own } } : {}),
        };
      });
    }
    case 'message.updated': {
      // The message as it is now, to every participant; each change is its own event.
      const stored: StoredEvent = { type: 'message.updated', message: event.data.message };
      return unique(event.data.audience).map((userId) => ({
        userId,
        dedupeKey: `upd:${event.id}`,
        event: stored,
      }));
    }
    case 'message.deleted': {
      // Only to the deleter (their other devices).
      const { data } = event;
      return [
        {
          userId: data.userId,
          dedupeKey: `del:${data.messageId}`,
          event: {
            type: 'message.deleted',
            conversationId: data.conversationId,
            messageId: data.messageId,
          },
        },
      ];
    }
  }
}

function unique(userIds: string[]): string[] {
  return [...new Set(userIds)];
}
