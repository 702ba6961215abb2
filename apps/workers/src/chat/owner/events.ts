import type { RequestMeta } from '@chat/core';
import {
  partitionOf,
  unreadCountOf,
  type ConversationUpdatedEvent,
  type Message,
  type MessageStatusUpdatedEvent,
  RECEIPT_LISTS_MAX_PARTICIPANTS,
} from '@chat/api';
import type { ChatDeps } from '../deps.js';
import { conversationBase, mutedUntilOf } from '../views.js';
import type { ConversationState } from './state.js';

/**
 * The events of one conversation, built once here where the change happens, in the shape
 * clients receive, and published (confirmed) on its partition so they are handled in order.
 */
export class ConversationEvents {
  constructor(private readonly deps: Pick<ChatDeps, 'events'>) {}

  messageSent(state: ConversationState, message: Message, meta: RequestMeta) {
    return this.deps.events.publish(
      'chat_events',
      'message.sent',
      {
        message,
        conversation: {
          id: state.id,
          type: state.row.type,
          name: state.row.type === 'group' ? (state.row.name ?? '') : null,
        },
        audience: [...state.members.keys()],
        muted: state.participants.filter((p) => mutedUntilOf(p) !== null).map((p) => p.userId),
      },
      meta,
      partitionOf(state.id),
    );
  }

  /** The message as it is now (edited, deleted for everyone, reactions), to every participant. */
  messageUpdated(state: ConversationState, message: Message, meta: RequestMeta) {
    return this.deps.events.publish(
      'chat_events',
      'message.updated',
      { message, audience: [...state.members.keys()] },
      meta,
      partitionOf(state.id),
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
    return this.deps.events.publish(
      'chat_events',
      'message.status.updated',
      { ...data, conversationId: state.id, audience },
      meta,
      partitionOf(state.id),
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
    return this.deps.events.publish(
      'chat_events',
      'conversation.updated',
      event,
      meta,
      partitionOf(state.id),
    );
  }

  messageDeleted(state: ConversationState, userId: string, messageId: string, meta: RequestMeta) {
    return this.deps.events.publish(
      'chat_events',
      'message.deleted',
      { userId, conversationId: state.id, messageId },
      meta,
      partitionOf(state.id),
    );
  }
}
