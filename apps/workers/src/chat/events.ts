import type { RequestMeta } from '@chat/core';
import type { MessageSentEvent } from '@chat/api';
import type { ChatDeps } from './deps.js';
import { conversationState, messageState, type ConversationRow, type MessageRow } from './views.js';

/** `message.sent` (direct) or `group.message.sent` on `chat_events`, confirmed by the broker. */
export async function publishMessageSent(
  deps: Pick<ChatDeps, 'bus'>,
  conversation: ConversationRow,
  message: MessageRow,
  meta: RequestMeta,
): Promise<void> {
  const event: MessageSentEvent = {
    message: messageState(message),
    conversation: conversationState(conversation),
  };
  await deps.bus.publish(
    'chat_events',
    conversation.type === 'group' ? 'group.message.sent' : 'message.sent',
    event,
    meta,
  );
}
