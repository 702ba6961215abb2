import { randomUUID } from 'node:crypto';
import type { Conversation, Message } from '@chat/api';
import type { TestSystem, TestUser } from './system.js';

/** Two fresh users and their direct conversation, opened by the first. */
export async function directPair(
  system: TestSystem,
): Promise<{ a: TestUser; b: TestUser; conversation: Conversation }> {
  const [a, b] = await Promise.all([system.user(), system.user()]);
  const conversation = await a.client.api.chat.openDirect.mutate({ userId: b.id });
  return { a, b, conversation };
}

/** One text message from `u`, under a fresh clientId. */
export const sendText = (u: TestUser, conversationId: string, content: string): Promise<Message> =>
  u.client.api.chat.send.mutate({ conversationId, clientId: randomUUID(), content });
