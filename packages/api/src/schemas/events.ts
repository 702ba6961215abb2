import { z } from 'zod';
import type { Conversation, Message } from './chat.js';
import type { Notification } from './notification.js';
import type { UserStatus } from './user.js';

/**
 * What clients send back as `lastEventId`: `<epoch>-<ms>-<seq>`, the event log's epoch and the
 * entry's stream id. The older `<ms>-<seq>` form is still accepted: it answers with `resync`.
 */
export const eventIdSchema = z
  .string()
  .regex(/^(\d{1,20}-)?\d{1,20}-\d{1,20}$/, 'Invalid event id');

export const streamInput = z.strictObject({ lastEventId: eventIdSchema.optional() }).optional();
export type StreamInput = z.infer<typeof streamInput>;

/** Everything `events.stream` delivers (API.md "events.stream"). */
export type ClientEvent =
  | { type: 'message.new'; message: Message }
  | {
      type: 'message.status';
      conversationId: string;
      messageIds: string[];
      userId: string;
      status: 'delivered' | 'read';
      at: string;
    }
  | { type: 'message.deleted'; conversationId: string; messageId: string }
  | { type: 'conversation.updated'; conversation: Conversation }
  | { type: 'typing'; conversationId: string; userId: string; isTyping: boolean }
  | { type: 'presence'; userId: string; status: UserStatus; lastSeen: string | null }
  | { type: 'notification.new'; notification: Notification }
  | { type: 'resync' };

/** Events that are stored in the per-user log and replayed; the others are live only. */
export type StoredEvent = Exclude<
  ClientEvent,
  { type: 'typing' } | { type: 'presence' } | { type: 'resync' }
>;
export type LiveEvent = Extract<ClientEvent, { type: 'typing' } | { type: 'presence' }>;
