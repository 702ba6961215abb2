import type { Redis } from 'ioredis';
import {
  redisKeys,
  type Message,
  type MessageSentEvent,
  type Notification,
  type StoredEvent,
} from '@chat/api';
import type { Append } from '../event-log/event-log.js';

/**
 * What a new message notifies, built the same way wherever it is built (the conversation's
 * owner for small audiences, the notification worker for the rest and for whatever the owner
 * could not do): who, the notification itself, its `notification.new` appends.
 */
export type NewNotification = Omit<Notification, 'read'>;

const BODY_MAX_CHARS = 200;

/** Everyone in the audience but the sender and those who muted the conversation. */
export function recipientsOf(data: Pick<MessageSentEvent, 'message' | 'audience' | 'muted'>) {
  const muted = new Set(data.muted);
  return data.audience.filter((p) => p !== data.message.senderId && !muted.has(p));
}

/** The notification of a message, titled with its sender's display name. */
export function messageNotification(
  data: Pick<MessageSentEvent, 'message' | 'conversation'>,
  sender: string,
): NewNotification {
  const { message, conversation } = data;
  const group = conversation.type === 'group';
  return {
    id: `${group ? 'g' : 'm'}_${message.id}`,
    kind: group ? 'group_message' : 'message',
    title: group ? `${sender} in ${conversation.name ?? 'a group'}` : sender,
    body: previewOf(message),
    conversationId: conversation.id,
    messageId: message.id,
    createdAt: message.createdAt,
  };
}

/** `notification.new` for each user's log (one event object: stored once if large). */
export function notificationAppends(userIds: string[], notification: NewNotification): Append[] {
  const event: StoredEvent = {
    type: 'notification.new',
    notification: { ...notification, read: false },
  };
  return userIds.map((userId) => ({ userId, dedupeKey: `notif:${notification.id}`, event }));
}

/**
 * Those of `userIds` with no unexpired socket in `presence:{userId}` (scores are expiry
 * times), in one round trip. Unknown presence counts as offline: a duplicate push beats a
 * missed one.
 */
export async function offlineAmong(redis: Redis, userIds: string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const now = Date.now();
  const pipeline = redis.pipeline();
  for (const userId of userIds) pipeline.zcount(redisKeys.presence(userId), now, '+inf');
  const results = (await pipeline.exec()) ?? [];
  return new Set(
    userIds.filter((_, i) => {
      const [err, count] = results[i] ?? [null, 0];
      return err !== null || Number(count) === 0;
    }),
  );
}

function previewOf(m: Message): string {
  const text = m.content.replace(/\s+/g, ' ').trim();
  if (m.attachments.length > 0 && !text) return describeAttachments(m.attachments);
  if (m.type !== 'text' && m.attachments.length === 0)
    return `Sent ${m.type === 'image' || m.type === 'audio' ? 'an' : 'a'} ${m.type}`;
  return text.length > BODY_MAX_CHARS ? `${text.slice(0, BODY_MAX_CHARS - 1)}…` : text;
}

const KIND_NAMES = {
  image: ['a photo', 'photos'],
  video: ['a video', 'videos'],
  audio: ['a voice or audio clip', 'audio clips'],
  file: ['a file', 'files'],
} as const;

/** "Sent a photo", "Sent 3 photos", "Sent 2 files" (mixed kinds count as files). */
function describeAttachments(list: Message['attachments']): string {
  const kinds = new Set(list.map((a) => a.kind));
  const [one, many] = KIND_NAMES[kinds.size === 1 ? list[0]!.kind : 'file'];
  return list.length === 1 ? `Sent ${one}` : `Sent ${list.length} ${many}`;
}
