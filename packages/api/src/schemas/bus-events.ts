import { z } from 'zod';

/** Payloads of domain events on the bus (routing key → data); internal, not client events. */
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

/** The conversation as the chat worker sees it: unread counts for every participant. */
export interface ConversationState {
  id: string;
  type: 'direct' | 'group';
  participants: string[];
  group: { id: string; name: string; avatar: string | null } | null;
  lastMessage: {
    id: string;
    content: string;
    senderId: string;
    type: string;
    createdAt: string;
  } | null;
  unread: Record<string, number>;
  updatedAt: string;
}

/** Message fields every viewer shares; `status` is computed per viewer. */
export interface MessageState {
  id: string;
  conversationId: string;
  senderId: string;
  clientId: string;
  content: string;
  type: 'text' | 'image' | 'file' | 'audio' | 'video';
  deliveredTo: string[];
  readBy: { userId: string; readAt: string }[];
  createdAt: string;
}

/** `message.sent` (direct) and `group.message.sent` on `chat_events`. */
export interface MessageSentEvent {
  message: MessageState;
  conversation: ConversationState;
}

/** `message.status.updated` on `chat_events`. */
export interface MessageStatusUpdatedEvent {
  conversationId: string;
  messageIds: string[];
  userId: string;
  status: 'delivered' | 'read';
  at: string;
  participants: string[];
}

/** `conversation.updated` on `chat_events`: to `audience` (participants plus anyone just removed). */
export interface ConversationUpdatedEvent {
  conversation: ConversationState;
  audience: string[];
  reason:
    | 'created'
    | 'group_updated'
    | 'members_added'
    | 'member_removed'
    | 'role_changed'
    | 'member_left';
  /** Users who just joined (they get a `group_added` notification). */
  addedUserIds: string[];
  actorId: string;
}

/** `message.deleted` on `chat_events`: to the deleter's other devices. */
export interface MessageDeletedEvent {
  userId: string;
  conversationId: string;
  messageId: string;
}

/** `presence.changed` on `user_events`. */
export interface PresenceChangedEvent {
  userId: string;
  status: 'online' | 'offline' | 'away' | 'busy';
  lastSeen: string | null;
}
