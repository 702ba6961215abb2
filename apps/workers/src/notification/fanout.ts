import type { Redis } from 'ioredis';
import type { Bus, EventEnvelope } from '@chat/bus';
import { AppError, type Logger, type RequestMeta } from '@chat/core';
import type {
  ClientEvent,
  Conversation,
  ConversationState,
  ConversationUpdatedEvent,
  Message,
  MessageDeletedEvent,
  MessageSentEvent,
  MessageState,
  MessageStatusUpdatedEvent,
  Notification,
  PresenceChangedEvent,
  StoredEvent,
  UserLoginEvent,
} from '@chat/api';
import type { EventLog } from './event-log.js';
import type { NotificationStore } from './notifications.js';

export interface FanoutDeps {
  log: Logger;
  bus: Bus;
  redis: Redis;
  events: EventLog;
  notifications: NotificationStore;
  rpcTimeoutMs: number;
}

/** Sender names stay cached this long: a renamed user shows up in new titles soon enough. */
const NAME_TTL_MS = 60_000;
const BODY_MAX_CHARS = 200;

type NewNotification = Omit<Notification, 'read'>;

/**
 * Turns bus events into per-user stored events (`events:{userId}`), notifications and
 * live presence signals. Every step is idempotent: a redelivered or re-published event
 * appends nothing twice (dedupe keys per user and logical event).
 */
export class Fanout {
  private readonly names = new Map<string, { name: string; until: number }>();

  constructor(private readonly deps: FanoutDeps) {}

  async handle(envelope: EventEnvelope, log: Logger): Promise<void> {
    const meta: RequestMeta = { requestId: envelope.requestId };
    switch (envelope.type) {
      case 'message.sent':
      case 'group.message.sent':
        return this.messageSent(envelope as EventEnvelope<MessageSentEvent>, meta);
      case 'message.status.updated':
        return this.statusUpdated(envelope as EventEnvelope<MessageStatusUpdatedEvent>);
      case 'conversation.updated':
        return this.conversationUpdated(envelope as EventEnvelope<ConversationUpdatedEvent>, meta);
      case 'message.deleted':
        return this.messageDeleted(envelope.data as MessageDeletedEvent);
      case 'user.login':
        return this.login(envelope as EventEnvelope<UserLoginEvent>);
      case 'presence.changed':
        return this.presenceChanged(envelope.data as PresenceChangedEvent, meta);
      default:
        log.warn({ type: envelope.type }, 'unexpected event type, ignored');
    }
  }

  /** message.new to every participant (the sender's other devices too), a notification to the rest. */
  private async messageSent(
    { data, type }: EventEnvelope<MessageSentEvent>,
    meta: RequestMeta,
  ): Promise<void> {
    const { message, conversation } = data;
    const event: StoredEvent = {
      type: 'message.new',
      message: toMessage(message, conversation.participants),
    };
    await Promise.all(
      conversation.participants.map((userId) =>
        this.deps.events.append(userId, `msg:${message.id}`, event),
      ),
    );
    const recipients = conversation.participants.filter((p) => p !== message.senderId);
    if (recipients.length === 0) return;
    const sender = await this.displayName(message.senderId, meta);
    const group = type === 'group.message.sent' || conversation.type === 'group';
    const notification: NewNotification = {
      id: `${group ? 'g' : 'm'}_${message.id}`,
      kind: group ? 'group_message' : 'message',
      title: group ? `${sender} in ${conversation.group?.name ?? 'a group'}` : sender,
      body: previewOf(message),
      conversationId: conversation.id,
      messageId: message.id,
      createdAt: message.createdAt,
    };
    await Promise.all(recipients.map((userId) => this.notify(userId, notification)));
  }

  /** To the participants other than the one whose receipt this is. */
  private async statusUpdated({ id, data }: EventEnvelope<MessageStatusUpdatedEvent>) {
    const event: StoredEvent = {
      type: 'message.status',
      conversationId: data.conversationId,
      messageIds: data.messageIds,
      userId: data.userId,
      status: data.status,
      at: data.at,
    };
    const audience = [...new Set(data.participants)].filter((p) => p !== data.userId);
    await Promise.all(audience.map((u) => this.deps.events.append(u, `status:${id}`, event)));
  }

  /** To the audience, each with their own unreadCount; `group_added` to those just added. */
  private async conversationUpdated(
    { id, data, occurredAt }: EventEnvelope<ConversationUpdatedEvent>,
    meta: RequestMeta,
  ): Promise<void> {
    await Promise.all(
      [...new Set(data.audience)].map((userId) =>
        this.deps.events.append(userId, `conv:${id}`, {
          type: 'conversation.updated',
          conversation: toConversation(data.conversation, userId),
        }),
      ),
    );
    const added = [...new Set(data.addedUserIds)].filter((u) => u !== data.actorId);
    if (added.length === 0) return;
    const actor = await this.displayName(data.actorId, meta);
    const groupName = data.conversation.group?.name ?? 'a group';
    await Promise.all(
      added.map((userId) =>
        this.notify(userId, {
          id: `a_${id}`,
          kind: 'group_added',
          title: `Added to ${groupName}`,
          body: `${actor} added you to ${groupName}`,
          conversationId: data.conversation.id,
          messageId: null,
          createdAt: occurredAt,
        }),
      ),
    );
  }

  /** Only to the deleter (their other devices). */
  private async messageDeleted(data: MessageDeletedEvent): Promise<void> {
    await this.deps.events.append(data.userId, `del:${data.messageId}`, {
      type: 'message.deleted',
      conversationId: data.conversationId,
      messageId: data.messageId,
    });
  }

  private async login({ id, data }: EventEnvelope<UserLoginEvent>): Promise<void> {
    await this.notify(data.id, {
      id: `l_${id}`,
      kind: 'login',
      title: 'New sign-in',
      body: data.ip ? `Signed in from ${data.ip}` : 'Signed in from an unknown address',
      conversationId: null,
      messageId: null,
      createdAt: data.at,
    });
  }

  /** Live only (never stored): to everyone who shares a conversation with the user, and to the user's own devices. */
  private async presenceChanged(data: PresenceChangedEvent, meta: RequestMeta): Promise<void> {
    const { userIds } = (await this.deps.bus.call(
      'chat',
      'chat.contactsOf',
      { userId: data.userId },
      { ...meta, userId: data.userId },
      this.deps.rpcTimeoutMs,
    )) as { userIds: string[] };
    const event: ClientEvent = {
      type: 'presence',
      userId: data.userId,
      status: data.status,
      lastSeen: data.lastSeen,
    };
    const json = JSON.stringify(event);
    const pipeline = this.deps.redis.pipeline();
    // The user's own tabs learn their presence too (e.g. a status picker showing "online").
    for (const target of new Set([...userIds, data.userId]))
      pipeline.publish(`live:${target}`, json);
    await pipeline.exec();
  }

  /** Stores the notification once and appends it as a `notification.new` event. */
  private async notify(userId: string, notification: NewNotification): Promise<void> {
    await this.deps.notifications.add(userId, notification);
    await this.deps.events.append(userId, `notif:${notification.id}`, {
      type: 'notification.new',
      notification: { ...notification, read: false },
    });
  }

  /** A user's display name for titles; cached briefly. An unknown user is "Someone". */
  private async displayName(userId: string, meta: RequestMeta): Promise<string> {
    const cached = this.names.get(userId);
    if (cached && cached.until > Date.now()) return cached.name;
    let name: string;
    try {
      const user = (await this.deps.bus.call(
        'user',
        'user.byId',
        { userId },
        { ...meta, userId },
        this.deps.rpcTimeoutMs,
      )) as { displayName: string };
      name = user.displayName;
    } catch (err) {
      // Anything but "no such user" is worth a retry of the whole event.
      if (!(err instanceof AppError && err.code === 'NOT_FOUND')) throw err;
      name = 'Someone';
    }
    if (this.names.size > 10_000) this.names.clear();
    this.names.set(userId, { name, until: Date.now() + NAME_TTL_MS });
    return name;
  }
}

/** API.md: `read` when every other participant read it, `delivered` when all received it. */
export function toMessage(m: MessageState, participants: string[]): Message {
  const others = participants.filter((p) => p !== m.senderId);
  const readers = new Set(m.readBy.map((r) => r.userId));
  const receivers = new Set([...m.deliveredTo, ...readers]);
  const status =
    others.length > 0 && others.every((o) => readers.has(o))
      ? 'read'
      : others.length > 0 && others.every((o) => receivers.has(o))
        ? 'delivered'
        : 'sent';
  return {
    id: m.id,
    conversationId: m.conversationId,
    senderId: m.senderId,
    clientId: m.clientId,
    content: m.content,
    type: m.type,
    status,
    deliveredTo: m.deliveredTo,
    readBy: m.readBy,
    createdAt: m.createdAt,
  };
}

export function toConversation(c: ConversationState, userId: string): Conversation {
  return {
    id: c.id,
    type: c.type,
    participants: c.participants,
    group: c.group,
    lastMessage: c.lastMessage as Conversation['lastMessage'],
    unreadCount: Object.hasOwn(c.unread, userId) ? (c.unread[userId] ?? 0) : 0,
    updatedAt: c.updatedAt,
  };
}

function previewOf(m: MessageState): string {
  if (m.type !== 'text')
    return `Sent ${m.type === 'image' || m.type === 'audio' ? 'an' : 'a'} ${m.type}`;
  const text = m.content.replace(/\s+/g, ' ').trim();
  return text.length > BODY_MAX_CHARS ? `${text.slice(0, BODY_MAX_CHARS - 1)}…` : text;
}
