import { z } from 'zod';
import { TYPING_TTL_MS } from '../limits.js';
import { conversationSchema, messageSchema } from './chat.js';
import { isoDate } from './common.js';
import { notificationSchema } from './notification.js';
import { userStatusSchema } from './user.js';

/**
 * What clients send back as `lastEventId`: `<epoch>-<ms>-<seq>`, the event log's epoch and the
 * entry's stream id. The older `<ms>-<seq>` form is still accepted: it answers with `resync`.
 */
export const eventIdSchema = z
  .string()
  .regex(/^(\d{1,20}-)?\d{1,20}-\d{1,20}$/, 'Invalid event id');

export const streamInput = z.strictObject({ lastEventId: eventIdSchema.optional() }).optional();
export type StreamInput = z.infer<typeof streamInput>;

export const messageNewEventSchema = z
  .object({
    type: z.literal('message.new'),
    message: messageSchema,
  })
  .describe(
    'A message in one of your conversations (your own too, so your other tabs stay in step).',
  );
export const messageUpdatedEventSchema = z
  .object({
    type: z.literal('message.updated'),
    message: messageSchema,
  })
  .describe(
    'A message changed: edited, deleted for everyone (a tombstone), or its reactions. Replace your copy.',
  );
export const messageStatusEventSchema = z
  .object({
    type: z.literal('message.status'),
    conversationId: z.string(),
    messageIds: z.array(z.string()),
    userId: z.string(),
    status: z.enum(['delivered', 'read']),
    at: isoDate,
  })
  .describe('Someone else received or read messages (the status rule derives the rest).');
export const messageDeletedClientEventSchema = z
  .object({
    type: z.literal('message.deleted'),
    conversationId: z.string(),
    messageId: z.string(),
  })
  .describe('You deleted a message for yourself on another device.');
export const conversationUpdatedClientEventSchema = z
  .object({
    type: z.literal('conversation.updated'),
    conversation: conversationSchema,
  })
  .describe('A new conversation, a group change or a membership change.');
export const typingEventSchema = z
  .object({
    type: z.literal('typing'),
    conversationId: z.string(),
    userId: z.string(),
    isTyping: z.boolean(),
  })
  .describe(
    `Live only: expires ${TYPING_TTL_MS / 1000} s after the last \`isTyping: true\` unless refreshed.`,
  );
export const presenceEventSchema = z
  .object({
    type: z.literal('presence'),
    userId: z.string(),
    status: userStatusSchema,
    lastSeen: isoDate.nullable(),
  })
  .describe("Live only: a contact's status changed.");
export const notificationNewEventSchema = z
  .object({
    type: z.literal('notification.new'),
    notification: notificationSchema,
  })
  .describe('A new notification for the bell.');
export const resyncEventSchema = z
  .object({ type: z.literal('resync') })
  .describe('Events may be missing — reload state (conversations, messages), then carry on.');

/** Events that are stored in the per-user log and replayed (`tracked` with an id). */
export const storedEventSchema = z.discriminatedUnion('type', [
  messageNewEventSchema,
  messageUpdatedEventSchema,
  messageStatusEventSchema,
  messageDeletedClientEventSchema,
  conversationUpdatedClientEventSchema,
  notificationNewEventSchema,
]);
/** Events sent live only, untracked: never stored, never replayed. */
export const liveEventSchema = z.discriminatedUnion('type', [
  typingEventSchema,
  presenceEventSchema,
]);

/** Everything `events.stream` delivers. */
export const clientEventSchema = z.discriminatedUnion('type', [
  ...storedEventSchema.options,
  ...liveEventSchema.options,
  resyncEventSchema,
]);
export type ClientEvent = z.infer<typeof clientEventSchema>;
export type StoredEvent = z.infer<typeof storedEventSchema>;
export type LiveEvent = z.infer<typeof liveEventSchema>;
