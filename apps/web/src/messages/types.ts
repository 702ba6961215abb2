import type { Attachment, Conversation, Message } from '@chat/api';

export type { Attachment, Conversation, Message };

export const MESSAGES_PAGE_SIZE = 50;

/** The input of the one `chat.messages` infinite query per conversation. */
export function messagesInput(conversationId: string) {
  return { conversationId, limit: MESSAGES_PAGE_SIZE };
}

/** A message typed here and not yet confirmed by the server (local echo). */
export interface PendingMessage {
  clientId: string;
  conversationId: string;
  content: string;
  /** Uploaded already (POST /files); sent by id, shown from their signed URLs meanwhile. */
  attachments: Attachment[];
  /** The message it answers (sent by id; the quote shows in the local echo). */
  replyTo?: NonNullable<Message['replyTo']>;
  createdAt: string;
  state: 'sending' | 'failed';
  error?: string;
  /** Failed for a passing reason (network, server busy, rate limit): resent on reconnect. */
  retryable?: boolean;
  /** Automatic resends so far (a few, with growing pauses; then only the Retry button). */
  attempts?: number;
}

export type DeliveryState = 'sending' | 'failed' | 'sent' | 'delivered' | 'read';
