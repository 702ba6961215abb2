import {
  addNotification,
  eventOf,
  type ClientEvent,
  type Message,
  type StreamItem,
} from '@chat/sdk';
import { useRef } from 'react';
import { isBeingRead } from '../conversations/activeConversation';
import {
  bumpConversation,
  findConversation,
  removeConversation,
  upsertConversation,
} from '../conversations/conversationCache';
import { acknowledgeDelivery } from '../messages/deliveryQueue';
import {
  applyReceipt,
  insertMessage,
  removeMessage,
  followParticipants,
  updateMessage,
} from '../messages/messageCache';
import { outbox } from '../messages/outbox';
import { messagesInput } from '../messages/types';
import { markNotificationsRead, NOTIFICATIONS_INPUT } from '../notifications/notificationCache';
import { typingStore } from '../presence/typingStore';
import { trpc, type TrpcUtils } from '../trpc';
import { markStreamStarted } from './useConnectionState';

function onNewMessage(utils: TrpcUtils, meId: string, message: Message): void {
  const mine = message.senderId === meId;
  insertMessage(utils, message);
  if (mine) outbox.remove(message.clientId);
  else typingStore.stop(message.conversationId, message.senderId);

  const unread = !mine && !isBeingRead(message.conversationId);
  const known = bumpConversation(utils, message, unread);
  if (!known) {
    // A conversation we have not seen yet (someone started it): fetch it for the list.
    utils.chat.conversation
      .fetch({ conversationId: message.conversationId })
      .then((conversation) => upsertConversation(utils, conversation))
      .catch(() => void utils.chat.conversations.invalidate());
  }
  if (!mine) acknowledgeDelivery(utils, message.conversationId, message.id);
}

/**
 * Applies one event from `events.stream` to the react-query cache, with the SDK's pure
 * functions (those its `applyEvent` is made of) plus what only the app does: the outbox,
 * typing indicators, delivery receipts, fetching a conversation it has not seen.
 */
export function applyEvent(utils: TrpcUtils, meId: string, event: ClientEvent): void {
  switch (event.type) {
    case 'message.new':
      onNewMessage(utils, meId, event.message);
      return;
    case 'message.status':
      applyReceipt(utils, event);
      return;
    case 'message.updated':
      updateMessage(utils, event.message);
      return;
    case 'message.deleted':
      removeMessage(utils, event.conversationId, event.messageId);
      return;
    case 'conversation.updated': {
      const { conversation } = event;
      if (!conversation.participants.includes(meId)) {
        // Removed from a group (or left it on another device).
        removeConversation(utils, conversation.id);
        utils.chat.messages.setInfiniteData(messagesInput(conversation.id), undefined);
        utils.chat.conversation.setData({ conversationId: conversation.id }, conversation);
      } else {
        const before = findConversation(utils, conversation.id)?.participants;
        if (before) followParticipants(utils, conversation.id, before, conversation.participants);
        upsertConversation(utils, conversation);
      }
      if (conversation.group) void utils.group.get.invalidate({ groupId: conversation.group.id });
      return;
    }
    case 'typing':
      if (event.userId !== meId)
        typingStore.apply(event.conversationId, event.userId, event.isTyping);
      return;
    case 'presence': {
      const patch = { status: event.status, lastSeen: event.lastSeen };
      utils.user.byId.setData({ userId: event.userId }, (old) =>
        old ? { ...old, ...patch } : old,
      );
      if (event.userId === meId)
        utils.user.me.setData(undefined, (old) => (old ? { ...old, ...patch } : old));
      return;
    }
    case 'notification.new': {
      const { notification } = event;
      // A message in the conversation being read right now is not news.
      const seen = notification.conversationId !== null && isBeingRead(notification.conversationId);
      utils.notification.list.setData(NOTIFICATIONS_INPUT, (old) =>
        old ? addNotification(old, notification, NOTIFICATIONS_INPUT.limit) : old,
      );
      if (seen && !notification.read) markNotificationsRead(utils, [notification.id]);
      return;
    }
    case 'resync':
      // Too far behind for a replay: reload everything.
      void utils.invalidate();
      return;
  }
}

/**
 * The one `events.stream` subscription: every event updates the cache, so the UI never
 * polls. Reconnects resume after the last tracked event (see wsClient.ts).
 */
export function useEventStream(meId: string): void {
  const utils = trpc.useUtils();
  const startedOnce = useRef(false);

  trpc.events.stream.useSubscription(undefined, {
    onStarted() {
      markStreamStarted();
      // Our own presence turns "online" once the gateway has seen this socket; presence
      // events only go to contacts, so ask again shortly after (every connect).
      for (const delay of [1_500, 5_000]) setTimeout(() => void utils.user.me.invalidate(), delay);
      if (startedOnce.current) return;
      startedOnce.current = true;
      // Anything that happened between the first fetches and the stream starting.
      void utils.chat.invalidate();
      void utils.notification.invalidate();
    },
    onData(item: StreamItem) {
      applyEvent(utils, meId, eventOf(item));
    },
  });
}
