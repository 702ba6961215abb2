import { randomUUID } from 'node:crypto';
import type { RequestMeta } from '@chat/core';
import { withContext, type Context } from '@chat/tracing';
import {
  partitionOf,
  unreadCountOf,
  type BusEventData,
  type BusEventType,
  type ConversationUpdatedEvent,
  type Message,
  type MessageStatusUpdatedEvent,
  RECEIPT_LISTS_MAX_PARTICIPANTS,
} from '@chat/api';
import { storedAppends, type ChatEvent } from '../../event-log/addressing.js';
import type { EventLog } from '../../event-log/event-log.js';
import type { DisplayNames } from '../../notices/display-names.js';
import {
  messageNotification,
  notificationAppends,
  offlineAmong,
  recipientsOf,
} from '../../notices/message-notice.js';
import type { NotificationStore } from '../../notices/notification-store.js';
import type { ChatDeps } from '../deps.js';
import { conversationBase, mutedUntilOf } from '../views.js';
import type { ConversationState } from './state.js';

/** After a failed append, a conversation's events go through the notification worker this long. */
const PAUSE_AFTER_FAILURE_MS = 30_000;

/**
 * Above this many recipients a message's notifications are the notification worker's: a large
 * group's thousand notifications would hold the conversation's next command here, while
 * there they are stored beside it.
 */
export const OWNER_NOTICES_MAX_RECIPIENTS = RECEIPT_LISTS_MAX_PARTICIPANTS;

/** The longest a send waits for a sender's display name the owner does not keep yet. */
const NAME_WAIT_MS = 250;

/** What the owner needs to store a message's notifications itself. */
export interface NoticeDeps {
  names: DisplayNames;
  notifications: NotificationStore;
}

type ChatEventType = BusEventType<'chat_events'>;

/** A message to announce, with the request and the trace of the send it answers. */
export interface SentMessage {
  message: Message;
  meta: RequestMeta;
  trace?: Context | undefined;
}

/**
 * The events of one conversation, built once here where the change happens, in the shape
 * clients receive. Each is appended to its audience's logs right here (one pipelined Redis
 * round trip: recipients have it without waiting for the broker and the notification
 * worker), then published (confirmed) on the conversation's partition, marked `appended`,
 * for the notification worker — which appends it itself when this append failed. A message
 * also gets its notifications here (see `messageSent`). The owner runs a conversation's
 * commands one at a time, so its events reach the logs in the order they happen.
 */
export class ConversationEvents {
  /** Conversations whose last direct append failed: until when they skip it. */
  private readonly paused = new Map<string, number>();

  constructor(
    private readonly deps: Pick<ChatDeps, 'events' | 'log' | 'redis'> & {
      logs: EventLog;
      /** Without it every message's notifications are the notification worker's. */
      notices?: NoticeDeps;
    },
  ) {}

  /**
   * Appended, and their notifications stored and announced, here; published only for what is
   * left to the notification worker: pushes to recipients with no open socket, or whatever
   * could not be done here (Redis trouble, a large audience). A message whose every
   * recipient is online costs no broker round trip. The messages of one batch (in seq order)
   * are appended in one call and published in that order: a Redis crash mid-append leaves
   * either all of them here or all of them to the notification worker — never a later one in
   * the logs here while an earlier one waits there (it would arrive after it).
   */
  async messagesSent(state: ConversationState, sent: readonly SentMessage[]): Promise<void> {
    if (sent.length === 0) return;
    const base = this.sentBase(state);
    const events = sent.map(({ message }) => ({
      id: randomUUID(),
      type: 'message.sent' as const,
      data: { ...base, message },
    }));
    const appending = this.appendNow(state.id, events);
    const noticed = await Promise.all(
      events.map((event, i) =>
        withContext(sent[i]!.trace, () => this.noticeNow(event.data, appending, sent[i]!.meta)),
      ),
    );
    const appended = await appending;
    // Started in order, with nothing awaited in between: the broker keeps that order.
    await Promise.all(
      events.flatMap((event, i) => {
        const notice = noticed[i];
        if (appended && notice && notice.pushTo.length === 0) return [];
        const data = {
          ...event.data,
          appended,
          ...(notice && { notified: true, pushTo: notice.pushTo }),
        };
        return [
          withContext(sent[i]!.trace, () =>
            this.publish(state.id, event.id, 'message.sent', data, sent[i]!.meta),
          ),
        ];
      }),
    );
  }

  /** What every `message.sent` of the conversation carries besides its message. */
  private sentBase(
    state: ConversationState,
  ): Omit<BusEventData<'chat_events', 'message.sent'>, 'message'> {
    return {
      conversation: {
        id: state.id,
        type: state.row.type,
        name: state.row.type === 'group' ? (state.row.name ?? '') : null,
      },
      audience: [...state.members.keys()],
      muted: state.participants.filter((p) => mutedUntilOf(p) !== null).map((p) => p.userId),
    };
  }

  /**
   * The sender's display name, kept or asked of the user worker for at most NAME_WAIT_MS: a
   * send never waits on a slow or stopped user worker for the RPC's whole timeout (the
   * notification worker then notifies; the answer, when it comes, is kept for next time).
   */
  private async senderName(
    names: DisplayNames,
    userId: string,
    meta: RequestMeta,
  ): Promise<string | undefined> {
    const kept = names.cached(userId);
    if (kept !== undefined) return kept;
    const asked = names.of(userId, meta);
    asked.catch((err: unknown) =>
      this.deps.log.warn({ err, userId }, 'could not get a display name'),
    );
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(resolve, NAME_WAIT_MS, undefined);
    });
    try {
      return await Promise.race([asked, late]);
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Stores the message's notifications and, once its `message.new` is appended, appends
   * their `notification.new`; says who is left to push to (a fresh notification and no
   * open socket). Null when the notification worker must do it all.
   */
  private async noticeNow(
    data: BusEventData<'chat_events', 'message.sent'>,
    appending: Promise<boolean>,
    meta: RequestMeta,
  ): Promise<{ pushTo: string[] } | null> {
    const notices = this.deps.notices;
    const recipients = recipientsOf(data);
    if (!notices || recipients.length > OWNER_NOTICES_MAX_RECIPIENTS) return null;
    try {
      if (recipients.length === 0) return (await appending) ? { pushTo: [] } : null;
      const sender = await this.senderName(notices.names, data.message.senderId, meta);
      if (sender === undefined) return null;
      const notification = messageNotification(data, sender);
      await notices.notifications.addAll(recipients, notification);
      // Announced after its message (what clients see first) and once stored.
      if (!(await appending)) return null;
      const [fresh, offline] = await Promise.all([
        this.deps.logs.appendAll(notificationAppends(recipients, notification)),
        offlineAmong(this.deps.redis, recipients),
      ]);
      // A notification announced before (a retried send) pushes nobody twice.
      return { pushTo: recipients.filter((u, i) => fresh[i] && offline.has(u)) };
    } catch (err) {
      this.deps.log.warn(
        { err, conversationId: data.conversation.id },
        'could not store the notifications: the notification worker will',
      );
      return null;
    }
  }

  /** The message as it is now (edited, deleted for everyone, reactions), to every participant. */
  messageUpdated(state: ConversationState, message: Message, meta: RequestMeta) {
    return this.emit(
      state.id,
      'message.updated',
      { message, audience: [...state.members.keys()] },
      meta,
    );
  }

  /**
   * A receipt: to the other participants, or in groups too large for receipt lists
   * (RECEIPT_LISTS_MAX_PARTICIPANTS), only to the senders of those messages.
   */
  status(
    state: ConversationState,
    data: Omit<MessageStatusUpdatedEvent, 'audience' | 'conversationId'>,
    senders: Iterable<string>,
    meta: RequestMeta,
  ) {
    const everyone = state.members.size <= RECEIPT_LISTS_MAX_PARTICIPANTS;
    const audience = (everyone ? [...state.members.keys()] : [...new Set(senders)]).filter(
      (u) => u !== data.userId,
    );
    if (audience.length === 0) return Promise.resolve();
    return this.emit(
      state.id,
      'message.status.updated',
      { ...data, conversationId: state.id, audience },
      meta,
    );
  }

  /**
   * To every participant and to `formerMembers` (or to `only`), each with their own unread
   * count and mute.
   */
  conversationUpdated(
    state: ConversationState,
    change: Pick<ConversationUpdatedEvent, 'reason' | 'addedUserIds' | 'actorId'>,
    formerMembers: string[],
    meta: RequestMeta,
    only?: string[],
  ) {
    const participants = state.participants;
    const unread: Record<string, number> = {};
    const mutedUntil: Record<string, string> = {};
    for (const p of participants) {
      const n = unreadCountOf(state.lastSeq, p);
      if (n > 0) unread[p.userId] = n;
      const muted = mutedUntilOf(p);
      if (muted) mutedUntil[p.userId] = muted;
    }
    const event: ConversationUpdatedEvent = {
      conversation: conversationBase(state.row, participants),
      unread,
      mutedUntil,
      audience: only ?? [...participants.map((p) => p.userId), ...formerMembers],
      ...change,
    };
    return this.emit(state.id, 'conversation.updated', event, meta);
  }

  messageDeleted(state: ConversationState, userId: string, messageId: string, meta: RequestMeta) {
    return this.emit(
      state.id,
      'message.deleted',
      { userId, conversationId: state.id, messageId },
      meta,
    );
  }

  /** Appends the event to its audience's logs (when it can), then publishes it. */
  private async emit<T extends ChatEventType>(
    conversationId: string,
    type: T,
    data: BusEventData<'chat_events', T>,
    meta: RequestMeta,
  ): Promise<void> {
    const id = randomUUID();
    const appended = await this.appendNow(conversationId, [{ id, type, data } as ChatEvent]);
    await this.publish(conversationId, id, type, { ...data, appended }, meta);
  }

  /** Confirmed, on the conversation's partition, with the id its log entries were keyed by. */
  private publish<T extends ChatEventType>(
    conversationId: string,
    id: string,
    type: T,
    data: BusEventData<'chat_events', T>,
    meta: RequestMeta,
  ) {
    return this.deps.events.publish(
      'chat_events',
      type,
      data,
      meta,
      partitionOf(conversationId),
      id,
    );
  }

  /**
   * False when the notification worker must append them: Redis is not connected, or an
   * append of this conversation failed recently — its later events then queue behind that
   * one there instead of overtaking it here.
   */
  private async appendNow(conversationId: string, events: ChatEvent[]): Promise<boolean> {
    const until = this.paused.get(conversationId);
    if (until !== undefined) {
      if (Date.now() < until) return false;
      this.paused.delete(conversationId);
    }
    // Not connected counts as failed: what this leaves to the notification worker must not
    // be overtaken by a later event appended here once Redis is back.
    if (this.deps.redis.status !== 'ready') {
      this.paused.set(conversationId, Date.now() + PAUSE_AFTER_FAILURE_MS);
      return false;
    }
    try {
      await this.deps.logs.appendAll(events.flatMap(storedAppends));
      return true;
    } catch (err) {
      this.paused.set(conversationId, Date.now() + PAUSE_AFTER_FAILURE_MS);
      this.deps.log.warn(
        { err, conversationId, events: events.map((e) => e.type) },
        'could not append to the event logs: the notification worker will',
      );
      return false;
    }
  }
}
