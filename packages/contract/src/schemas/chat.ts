import { z } from 'zod';
import {
  MAX_ATTACHMENTS_PER_MESSAGE,
  MAX_CONTENT_CHARS,
  MAX_MARK_DELIVERED_IDS,
} from '../limits.js';
import { emojiSchema } from './emoji.js';
import { cursorSchema, idSchema, isoDate, multiLine, oneLine } from './common.js';
import { attachmentSchema } from './files.js';

export const messageTypeSchema = z.enum(['text', 'image', 'file', 'audio', 'video']);
export type MessageType = z.infer<typeof messageTypeSchema>;

export const messageStatusSchema = z.enum(['sent', 'delivered', 'read']);
export type MessageStatus = z.infer<typeof messageStatusSchema>;

/** One emoji's reactions to a message: who, in order of first use. */
export const reactionSchema = z.object({
  emoji: z.string(),
  count: z.number().int().positive(),
  userIds: z.array(z.string()),
});
export type Reaction = z.infer<typeof reactionSchema>;

/** The quote of the message a reply answers (REPLY_PREVIEW_CHARS of its content). */
export const replyPreviewSchema = z.object({
  id: z.string(),
  senderId: z.string(),
  content: z.string(),
  type: messageTypeSchema,
  /** The original was deleted for everyone: show "deleted" instead of the quote. */
  deleted: z.boolean(),
});
export type ReplyPreview = z.infer<typeof replyPreviewSchema>;

export const messageSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  senderId: z.string(),
  clientId: z.string(),
  content: z.string(),
  type: messageTypeSchema,
  status: messageStatusSchema,
  deliveredTo: z.array(z.string()),
  readBy: z.array(z.object({ userId: z.string(), readAt: isoDate })),
  attachments: z.array(attachmentSchema),
  replyTo: replyPreviewSchema.nullable(),
  reactions: z.array(reactionSchema),
  /** When the sender last edited it; null if never. */
  editedAt: isoDate.nullable(),
  /** Deleted for everyone: a tombstone with content '' and no attachments. */
  deleted: z.boolean(),
  createdAt: isoDate,
});
export type Message = z.infer<typeof messageSchema>;

export const conversationSchema = z.object({
  id: z.string(),
  type: z.enum(['direct', 'group']),
  participants: z.array(z.string()),
  group: z.object({ id: z.string(), name: z.string(), avatar: z.string().nullable() }).nullable(),
  lastMessage: z
    .object({
      id: z.string(),
      content: z.string(),
      senderId: z.string(),
      type: messageTypeSchema,
      createdAt: isoDate,
    })
    .nullable(),
  unreadCount: z.number().int().nonnegative(),
  /** The caller's own mute: no notifications or pushes for it until then (events still flow). */
  mutedUntil: isoDate.nullable(),
  updatedAt: isoDate,
});
export type Conversation = z.infer<typeof conversationSchema>;

/** tRPC's infinite queries add `direction`; paging is always towards older items, so it is ignored. */
const pagingDirection = z.enum(['forward', 'backward']).optional();

export const conversationsInput = z.strictObject({
  limit: z.number().int().min(1).max(100).default(30),
  cursor: cursorSchema.optional(),
  direction: pagingDirection,
});
export type ConversationsInput = z.infer<typeof conversationsInput>;

export const conversationInput = z.strictObject({ conversationId: idSchema });
export type ConversationInput = z.infer<typeof conversationInput>;

export const openDirectInput = z.strictObject({ userId: idSchema });
export type OpenDirectInput = z.infer<typeof openDirectInput>;

export const messagesInput = z.strictObject({
  conversationId: idSchema,
  limit: z.number().int().min(1).max(100).default(50),
  cursor: cursorSchema.optional(),
  direction: pagingDirection,
});
export type MessagesInput = z.infer<typeof messagesInput>;

export const sendInput = z
  .strictObject({
    conversationId: idSchema,
    clientId: z.uuid(),
    content: z
      .string()
      .trim()
      .max(MAX_CONTENT_CHARS, `Message is longer than ${MAX_CONTENT_CHARS} characters`)
      .check(...multiLine)
      .default(''),
    /** Defaults to the attachments' kind (`image` when all are images, …), else `text`. */
    type: messageTypeSchema.optional(),
    /** Uploads (POST /files) into this conversation by the sender, not used by another message. */
    attachments: z
      .array(idSchema)
      .min(1)
      .max(MAX_ATTACHMENTS_PER_MESSAGE, `At most ${MAX_ATTACHMENTS_PER_MESSAGE} attachments`)
      .refine((ids) => new Set(ids).size === ids.length, 'The same attachment twice')
      .optional(),
    /** A message of the same conversation this one answers. */
    replyTo: idSchema.optional(),
  })
  .refine((m) => m.content.length > 0 || (m.attachments?.length ?? 0) > 0, {
    message: 'Message is empty',
    path: ['content'],
  });
export type SendInput = z.infer<typeof sendInput>;

export const markDeliveredInput = z.strictObject({
  conversationId: idSchema,
  messageIds: z.array(idSchema).min(1).max(MAX_MARK_DELIVERED_IDS),
});
export type MarkDeliveredInput = z.infer<typeof markDeliveredInput>;

export const markReadInput = z.strictObject({ conversationId: idSchema, upToMessageId: idSchema });
export type MarkReadInput = z.infer<typeof markReadInput>;

export const deleteForMeInput = z.strictObject({ messageId: idSchema });
export type DeleteForMeInput = z.infer<typeof deleteForMeInput>;

export const typingInput = z.strictObject({ conversationId: idSchema, isTyping: z.boolean() });
export type TypingInput = z.infer<typeof typingInput>;

const editedContent = z
  .string()
  .trim()
  .min(1, 'Message is empty')
  .max(MAX_CONTENT_CHARS, `Message is longer than ${MAX_CONTENT_CHARS} characters`)
  .check(...multiLine);

export const editInput = z.strictObject({ messageId: idSchema, content: editedContent });
export type EditInput = z.infer<typeof editInput>;

export const deleteForEveryoneInput = z.strictObject({ messageId: idSchema });
export type DeleteForEveryoneInput = z.infer<typeof deleteForEveryoneInput>;

export const reactInput = z.strictObject({ messageId: idSchema, emoji: emojiSchema });
export type ReactInput = z.infer<typeof reactInput>;

export const muteInput = z.strictObject({
  conversationId: idSchema,
  /** Until then (a future time), or null to unmute. Far-future dates mean "until I unmute". */
  until: z.iso.datetime({ offset: true }).nullable(),
});
export type MuteInput = z.infer<typeof muteInput>;

export const searchInput = z.strictObject({
  query: z
    .string()
    .trim()
    .min(1, 'Search for something')
    .max(200, 'The search is longer than 200 characters')
    .check(...oneLine),
  /** One conversation of the caller's, or all of them. */
  conversationId: idSchema.optional(),
  limit: z.number().int().min(1).max(50).default(20),
  cursor: cursorSchema.optional(),
  direction: pagingDirection,
});
export type SearchInput = z.infer<typeof searchInput>;
