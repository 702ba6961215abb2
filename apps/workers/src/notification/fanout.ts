import type { Redis } from 'ioredis';
import type { DomainEvent } from '@chat/bus';
import type { Logger, RequestMeta } from '@chat/core';
import {
  redisKeys,
  type ClientEvent,
  type Message,
  type Notification,
  type PresenceChangedEvent,
  type StoredEvent,
  type UserLoginEvent,
  type UserProfileUpdatedEvent,
} from '@chat/api';
import type { Contacts } from './contacts.js';
import { storedAppends } from '../event-log/addressing.js';
import type { Append, EventLog } from '../event-log/event-log.js';
import type { DisplayNames } from './names.js';
import type { NotificationStore } from './notifications.js';
import type { Pusher } from './push/pusher.js';

export interface FanoutDeps {
  log: Logger;
  redis: Redis;
  events: EventLog;
  notifications: NotificationStore;
  names: DisplayNames;
  contacts: Contacts;
  /** Web Push to recipients with no open socket (queued, never awaited). */
  push?: Pusher;
}

const BODY_MAX_CHARS = 200;

/** What the notification worker consumes: every chat event, and these user events. */
export const FANOUT_USER_EVENTS = [
  'user.login',
  'presence.changed',
  'user.profile.updated',
] as const;
export type FanoutEvent =
  DomainEvent<'chat_events'> | DomainEvent<'user_events', (typeof FANOUT_USER_EVENTS)[number]>;

type NewNotification = Omit<Notification, 'read'>;

/**
 * Addresses bus events to users: notifications, live presence signals, and the stored events
 * of chat events the owner could not append itself (not `appended`), one pipelined round trip
 * for all recipients. The chat worker already built each event as clients receive it. Every
 * step is idempotent: a redelivered or re-published event appends nothing twice (dedupe keys
 * per user and logical event).
 */
export class Fanout {
  constructor(private readonly deps: FanoutDeps) {}

  /** Events arrive checked against their schemas (DomainEvents.subscribe). */
  async handle(envelope: FanoutEvent): Promise<void> {
    const meta: RequestMeta = { requestId: envelope.requestId };
    switch (envelope.type) {
      case 'message.sent':
        return this.messageSent(envelope, meta);
      case 'conversation.updated':
        return this.conversationUpdated(envelope, meta);
      case 'message.status.updated':
      case 'message.deleted':
      case 'message.updated':
        // Nothing to notify: only the logs, unless the owner appended already.
        if (!envelope.data.appended) await this.deps.events.appendAll(storedAppends(envelope));
        return;
      case 'user.login':
        return this.login(envelope.id, envelope.data);
      case 'user.profile.updated':
        return this.profileUpdated(envelope.data);
      case 'presence.changed':
        return this.presenceChanged(envelope.data, meta);
    }
  }

  /**
   * message.new to every participant (the sender's other devices too) unless the owner
   * appended it already, a notification to the rest, and a Web Push to those of them with
   * no open socket.
   */
  private async messageSent(
    envelope: Extract<FanoutEvent, { type: 'message.sent' }>,
    meta: RequestMeta,
  ): Promise<void> {
    const { message, conversation } = envelope.data;
    const appends = envelope.data.appended ? [] : storedAppends(envelope);
    // Muted: the event (the conversation stays current), but no notification.
    const muted = new Set(envelope.data.muted);
    const recipients = envelope.data.audience.filter(
      (p) => p !== message.senderId && !muted.has(p),
    );
    if (recipients.length > 0) {
      const sender = await this.deps.names.of(message.senderId, meta);
      const group = conversation.type === 'group';
      const notification: NewNotification = {
        id: `${group ? 'g' : 'm'}_${message.id}`,
        kind: group ? 'group_message' : 'message',
        title: group ? `${sender} in ${conversation.name ?? 'a group'}` : sender,
        body: previewOf(message),
        conversationId: conversation.id,
        messageId: message.id,
        createdAt: message.createdAt,
      };
      // message.new (what everyone waits for) goes out beside the notifications' storage;
      // notification.new after both: a notification is announced once it is stored.
      await Promise.all([
        this.deps.events.appendAll(appends),
        this.deps.notifications.addAll(recipients, notification),
      ]);
      const fresh = await this.deps.events.appendAll(notificationAppends(recipients, notification));
      // Only those whose notification.new was appended just now: a redelivered event (its
      // ack lost in a crash) or one retried after a failed append pushes nobody twice.
      this.deps.push?.notify(
        recipients.filter((_, i) => fresh[i]),
        {
          title: notification.title,
          body: notification.body,
          conversationId: conversation.id,
          messageId: message.id,
          url: `/#/c/${conversation.id}`,
        },
      );
      return;
    }
    await this.deps.events.appendAll(appends);
  }

  /**
   * To the audience, each with their own unreadCount (unless the owner appended it already);
   * `group_added` to those just added.
   */
  private async conversationUpdated(
    envelope: Extract<FanoutEvent, { type: 'conversation.updated' }>,
    meta: RequestMeta,
  ): Promise<void> {
    const { id, occurredAt, data } = envelope;
    // Who shares a conversation with whom may have changed.
    this.deps.contacts.forget([...new Set(data.audience)]);
    const appends: Append[] = data.appended ? [] : storedAppends(envelope);
    const added = [...new Set(data.addedUserIds)].filter((u) => u !== data.actorId);
    if (added.length > 0) {
      const actor = await this.deps.names.of(data.actorId, meta);
      const groupName = data.conversation.group?.name ?? 'a group';
      appends.push(
        ...(await this.notify(added, {
          id: `a_${id}`,
          kind: 'group_added',
          title: `Added to ${groupName}`,
          body: `${actor} added you to ${groupName}`,
          conversationId: data.conversation.id,
          messageId: null,
          createdAt: occurredAt,
        })),
      );
    }
    await this.deps.events.appendAll(appends);
  }

  private async login(eventId: string, data: UserLoginEvent): Promise<void> {
    await this.deps.events.appendAll(
      await this.notify([data.id], {
        id: `l_${eventId}`,
        kind: 'login',
        title: 'New sign-in',
        body: data.ip ? `Signed in from ${data.ip}` : 'Signed in from an unknown address',
        conversationId: null,
        messageId: null,
        createdAt: data.at,
      }),
    );
  }

  private profileUpdated(data: UserProfileUpdatedEvent): Promise<void> {
    this.deps.names.set(data.id, data.displayName);
    return Promise.resolve();
  }

  /** Live only (never stored): to everyone who shares a conversation with the user, and to the user's own devices. */
  private async presenceChanged(data: PresenceChangedEvent, meta: RequestMeta): Promise<void> {
    const contacts = await this.deps.contacts.of(data.userId, meta);
    const event: ClientEvent = {
      type: 'presence',
      userId: data.userId,
      status: data.status,
      lastSeen: data.lastSeen,
    };
    const json = JSON.stringify(event);
    const pipeline = this.deps.redis.pipeline();
    // The user's own tabs learn their presence too (e.g. a status picker showing "online").
    for (const target of new Set([...contacts, data.userId]))
      pipeline.publish(redisKeys.liveChannel(target), json);
    await pipeline.exec();
  }

  /**
   * Stores the notification for each user (once per id) and returns the `notification.new`
   * appends for their logs.
   */
  private async notify(userIds: string[], notification: NewNotification): Promise<Append[]> {
    await this.deps.notifications.addAll(userIds, notification);
    return notificationAppends(userIds, notification);
  }
}

/** `notification.new` for each user's log (one event object: stored once if large). */
function notificationAppends(userIds: string[], notification: NewNotification): Append[] {
  const event: StoredEvent = {
    type: 'notification.new',
    notification: { ...notification, read: false },
  };
  return userIds.map((userId) => ({ userId, dedupeKey: `notif:${notification.id}`, event }));
}

function previewOf(m: Message): string {
  const text = m.content.replace(/\s+/g, ' ').trim();
  if (m.attachments.length > 0 && !text) return describeAttachments(m.attachments);
  if (m.type !== 'text' && m.attachments.length === 0)
    return `Sent ${m.type === 'image' || m.type === 'audio' ? 'an' : 'a'} ${m.type}`;
  return text.length > BODY_MAX_CHARS ? `${text.slice(0, BODY_MAX_CHARS - 1)}…` : text;
}

const KIND_NAMES = {
  image: ['a photo', 'photos'],
  video: ['a video', 'videos'],
  audio: ['a voice or audio clip', 'audio clips'],
  file: ['a file', 'files'],
} as const;

/** "Sent a photo", "Sent 3 photos", "Sent 2 files" (mixed kinds count as files). */
function describeAttachments(list: Message['attachments']): string {
  const kinds = new Set(list.map((a) => a.kind));
  const [one, many] = KIND_NAMES[kinds.size === 1 ? list[0]!.kind : 'file'];
  return list.length === 1 ? `Sent ${one}` : `Sent ${list.length} ${many}`;
}
