// A `message.sent` bus event for a made-up message, published as the chat worker would:
// for tests of what consumes the event (fan-out, dedupe, Web Push) without the send path.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Bus } from '@chat/bus';
import { partitionOf, type MessageSentEvent } from '@chat/api';

export const hexId = () => randomBytes(12).toString('hex');

/** A direct message from `senderId` in a new made-up conversation of `participants`. */
export function fakeMessageSent(
  senderId: string,
  participants: string[],
  conversationId = hexId(),
): MessageSentEvent {
  const now = new Date().toISOString();
  const id = hexId();
  return {
    message: {
      id,
      conversationId,
      senderId,
      clientId: randomUUID(),
      content: `fake ${id}`,
      type: 'text',
      status: 'sent',
      deliveredTo: [],
      readBy: [],
      attachments: [],
      replyTo: null,
      reactions: [],
      editedAt: null,
      deleted: false,
      createdAt: now,
    },
    conversation: { id: conversationId, type: 'direct', name: null },
    audience: participants,
    muted: [],
  };
}

/** Publishes `payload` on the conversation's partition, as a (re-)publish by the chat worker. */
export const publishSent = (bus: Bus, payload: MessageSentEvent) =>
  bus.publish(
    'chat_events',
    'message.sent',
    payload,
    { requestId: `test-${randomUUID()}` },
    partitionOf(payload.conversation.id),
  );
