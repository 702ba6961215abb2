import { z } from 'zod';
import { cursorSchema, httpsUrlSchema, idSchema, isoDate, multiLine, oneLine } from './common.js';

export const userStatusSchema = z.enum(['online', 'offline', 'away', 'busy']);
export type UserStatus = z.infer<typeof userStatusSchema>;

export const publicUserSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  avatar: z.string().nullable(),
  bio: z.string(),
  status: userStatusSchema,
  lastSeen: isoDate.nullable(),
});
export type PublicUser = z.infer<typeof publicUserSchema>;

export const meSchema = publicUserSchema.extend({ email: z.string() });
export type Me = z.infer<typeof meSchema>;

export const userByIdInput = z.strictObject({ userId: idSchema });

export const userSearchInput = z.strictObject({
  query: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .check(...oneLine),
  limit: z.number().int().min(1).max(50).default(20),
  cursor: cursorSchema.optional(),
});
export type UserSearchInput = z.infer<typeof userSearchInput>;

export const updateProfileInput = z.strictObject({
  displayName: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .check(...oneLine)
    .optional(),
  bio: z
    .string()
    .max(500)
    .check(...multiLine)
    .optional(),
  avatar: httpsUrlSchema.nullable().optional(),
});
export type UpdateProfileInput = z.infer<typeof updateProfileInput>;

export const setStatusInput = z.strictObject({ status: userStatusSchema });
export type SetStatusInput = z.infer<typeof setStatusInput>;

/** Internal: the auth worker asks the user worker for a profile right after sign-up. */
export const provisionProfileInput = z.strictObject({
  id: z.string(),
  username: z.string(),
  email: z.string(),
});
export type ProvisionProfileInput = z.infer<typeof provisionProfileInput>;
