import { z } from 'zod';
import { MAX_NOTIFICATION_IDS } from '../limits.js';
import { idSchema, isoDate } from './common.js';

export const notificationSchema = z.object({
  id: z.string(),
  kind: z.enum(['message', 'group_message', 'login', 'group_added']),
  title: z.string(),
  body: z.string(),
  conversationId: z.string().nullable(),
  messageId: z.string().nullable(),
  read: z.boolean(),
  createdAt: isoDate,
});
export type Notification = z.infer<typeof notificationSchema>;

export const notificationListInput = z.strictObject({
  limit: z.number().int().min(1).max(100).default(50),
});
export type NotificationListInput = z.infer<typeof notificationListInput>;

export const notificationMarkReadInput = z.strictObject({
  ids: z.array(idSchema).max(MAX_NOTIFICATION_IDS).optional(),
});
export type NotificationMarkReadInput = z.infer<typeof notificationMarkReadInput>;
