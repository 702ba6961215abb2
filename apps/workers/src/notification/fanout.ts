import type { Redis } from 'ioredis';
import type { DomainEvent } from '@chat/bus';
import type { Logger, RequestMeta } from '@chat/core';
import {
  redisKeys,
  type ClientEvent,
  type Message,
  type PresenceChangedEvent,
  type UserLoginEvent,
  type UserProfileUpdatedEvent,
} from '@chat/api';
import type { Contacts } from './contacts.js';
import { storedAppends } from '../event-log/addressing.js';
import type { Append, EventLog } from '../event-log/event-log.js';
import type { DisplayNames } from '../notices/display-names.js';
import {
  messageNotification,
  notificationAppends,
  recipientsOf,
  type NewNotification,
} from '../notices/message-notice.js';
import type { NotificationStore } from '../notices/notification-store.js';
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

/** What the notification worker consumes: every chat event, and these user events. */
export const FANOUT_USER_EVENTS = [
  'user.login',
  'presence.changed',
  'user.profile.updated',
] as const;
export type FanoutEvent =
  DomainEvent<'chat_events'> | DomainEvent<'user_events', (typeof FANOUT_USER_EVENTS)[number]>;

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
   * appended it already, a notification to the rest unless the owner stored them already,
   * and a Web Push to those of them with no open socket.
   */
  private async messageSent(
    envelope: Extract<FanoutEvent, { type: 'message.sent' }>,
    meta: RequestMeta,
  ): Promise<void> {
    const { data } = envelope;
    const appends = data.appended ? [] : storedAppends(envelope);
    if (data.notified) {
      // The owner stored and announced the notifications; the pushes are left.
      await this.deps.events.appendAll(appends);
      const pushTo = data.pushTo ?? [];
      if (pushTo.length > 0)
        this.push(
          pushTo,
          data.message,
          messageNotification(data, await this.deps.names.of(data.message.senderId, meta)),
        );
      return;
    }
    const recipients = recipientsOf(data);
    if (recipients.length === 0) {
      await this.deps.events.appendAll(appends);
      return;
    }
    const notification = messageNotification(
      data,
      await this.deps.names.of(data.message.senderId, meta),
    );
    // message.new (what everyone waits for) goes out beside the notifications' storage;
    // notification.new after both: a notification is announced once it is stored.
    await Promise.all([
      this.deps.events.appendAll(appends),
      this.deps.notifications.addAll(recipients, notification),
    ]);
    const fresh = await this.deps.events.appendAll(notificationAppends(recipients, notification));
    // Only those whose notification.new was appended just now: a redelivered event (its
    // ack lost in a crash) or one retried after a failed append pushes nobody twice.
    this.push(
      recipients.filter((_, i) => fresh[i]),
      data.message,
      notification,
    );
  }

  private push(userIds: string[], message: Message, notification: NewNotification): void {
    this.deps.push?.notify(userIds, {
      title: notification.title,
      body: notification.body,
      conversationId: message.conversationId,
      messageId: message.id,
      url: `/#/c/${message.conversationId}`,
    });
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
