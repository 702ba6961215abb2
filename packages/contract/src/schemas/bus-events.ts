import { z } from 'zod';
import { conversationSchema, messageSchema } from './chat.js';
import {
  messageDeletedClientEventSchema,
  messageStatusEventSchema,
  presenceEventSchema,
} from './events.js';

/**
 * Payloads of domain events on the bus (routing key → data): internal, not client events.
 * Events about a conversation are built once, by the chat worker that owns it, in the shape
 * clients receive; the notification worker only addresses and stores them.
 */

export const userCreatedEventSchema = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string(),
  createdAt: z.string(),
});
export type UserCreatedEvent = z.infer<typeof userCreatedEventSchema>;

export const userLoginEventSchema = z.object({
  id: z.string(),
  at: z.string(),
  ip: z.string().nullable(),
});
export type UserLoginEvent = z.infer<typeof userLoginEventSchema>;

/** `user.profile.updated` on `user_events`: what other services show of a user changed. */
export const userProfileUpdatedEventSchema = z.object({
  id: z.string(),
  displayName: z.string(),
});
export type UserProfileUpdatedEvent = z.infer<typeof userProfileUpdatedEventSchema>;

/** `presence.changed` on `user_events`. */
export const presenceChangedEventSchema = presenceEventSchema.omit({ type: true });
export type PresenceChangedEvent = z.infer<typeof presenceChangedEventSchema>;

/** Who a conversation event is for, and how the conversation is named in notifications. */
const conversationRefSchema = z.object({
  id: z.string(),
  type: conversationSchema.shape.type,
  /** The group's name; null for direct conversations. */
  name: z.string().nullable(),
});

/**
 * On every chat event: the conversation's owner already appended its stored events to the
 * audience's logs (the fast path); the notification worker then only notifies. Absent or
 * false (the owner could not reach Redis, or an older publisher): the notification worker
 * appends them. Either way the logs' dedupe keys keep one copy.
 */
const appended = z.boolean().optional();

/** `message.sent` on `chat_events`: `message` is the client's `message.new` payload. */
export const messageSentEventSchema = z.object({
  message: messageSchema,
  conversation: conversationRefSchema,
  /** Every participant, the sender included (their other devices stay in sync). */
  audience: z.array(z.string()),
  /** Participants who muted the conversation: events, but no notification or push. */
  muted: z.array(z.string()).default([]),
  appended,
  /**
   * True when the owner stored the notifications and appended their `notification.new`
   * itself (small audiences, Redis reachable): the notification worker only pushes, to
   * `pushTo` (recipients with a fresh notification and no open socket).
   */
  notified: z.boolean().optional(),
  pushTo: z.array(z.string()).optional(),
});
export type MessageSentEvent = z.infer<typeof messageSentEventSchema>;

/** `message.status.updated` on `chat_events`. */
export const messageStatusUpdatedEventSchema = messageStatusEventSchema
  .omit({ type: true })
  .extend({ audience: z.array(z.string()), appended });
export type MessageStatusUpdatedEvent = z.infer<typeof messageStatusUpdatedEventSchema>;

export const conversationChangeReasonSchema = z.enum([
  'created',
  'group_updated',
  'members_added',
  'member_removed',
  'role_changed',
  'member_left',
  /** The actor's own mute changed: to their own devices only. */
  'muted',
]);

/**
 * `conversation.updated` on `chat_events`: to `audience` (participants plus anyone just
 * removed), each with their own `unreadCount` from `unread` (0 when absent).
 */
export const conversationUpdatedEventSchema = z.object({
  conversation: conversationSchema.omit({ unreadCount: true, mutedUntil: true }),
  unread: z.record(z.string(), z.number()),
  /** Each participant's own mute (absent: not muted). */
  mutedUntil: z.record(z.string(), z.string()).default({}),
  audience: z.array(z.string()),
  reason: conversationChangeReasonSchema,
  /** Users who just joined (they get a `group_added` notification). */
  addedUserIds: z.array(z.string()),
  actorId: z.string(),
  appended,
});
export type ConversationUpdatedEvent = z.infer<typeof conversationUpdatedEventSchema>;

/** `message.deleted` on `chat_events`: to the deleter's other devices. */
export const messageDeletedEventSchema = messageDeletedClientEventSchema
  .omit({ type: true })
  .extend({ userId: z.string(), appended });
export type MessageDeletedEvent = z.infer<typeof messageDeletedEventSchema>;

/** `message.updated` on `chat_events`: the message as it is now, to every participant. */
export const messageUpdatedBusEventSchema = z.object({
  message: messageSchema,
  audience: z.array(z.string()),
  appended,
});
export type MessageUpdatedBusEvent = z.infer<typeof messageUpdatedBusEventSchema>;

/** Every event type on each exchange, with its payload schema. */
export const busEvents = {
  user_events: {
    'user.created': userCreatedEventSchema,
    'user.login': userLoginEventSchema,
    'user.profile.updated': userProfileUpdatedEventSchema,
    'presence.changed': presenceChangedEventSchema,
  },
  chat_events: {
    'message.sent': messageSentEventSchema,
    'message.status.updated': messageStatusUpdatedEventSchema,
    'conversation.updated': conversationUpdatedEventSchema,
    'message.deleted': messageDeletedEventSchema,
    'message.updated': messageUpdatedBusEventSchema,
  },
} as const;
export type BusEvents = typeof busEvents;
export type BusExchange = keyof BusEvents;
export type BusEventType<X extends BusExchange> = keyof BusEvents[X] & string;
export type BusEventData<
  X extends BusExchange,
  T extends BusEventType<X>,
> = BusEvents[X][T] extends z.ZodType ? z.infer<BusEvents[X][T]> : never;
