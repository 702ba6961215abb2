import { z } from 'zod';
import { MAX_MEMBER_IDS_PER_CALL } from '../limits.js';
import { httpsUrlSchema, idSchema, isoDate, multiLine, oneLine } from './common.js';

export const groupRoleSchema = z.enum(['owner', 'admin', 'member']);
export type GroupRole = z.infer<typeof groupRoleSchema>;

export const groupSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  avatar: z.string().nullable(),
  creatorId: z.string(),
  conversationId: z.string(),
  members: z.array(z.object({ userId: z.string(), role: groupRoleSchema, joinedAt: isoDate })),
  createdAt: isoDate,
});
export type Group = z.infer<typeof groupSchema>;

const groupName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .check(...oneLine);
const groupDescription = z
  .string()
  .trim()
  .max(500)
  .check(...multiLine);
const memberIds = z.array(idSchema).min(1).max(MAX_MEMBER_IDS_PER_CALL);

export const createGroupInput = z.strictObject({
  name: groupName,
  description: groupDescription.optional(),
  avatar: httpsUrlSchema.nullable().optional(),
  memberIds,
});
export type CreateGroupInput = z.infer<typeof createGroupInput>;

export const groupIdInput = z.strictObject({ groupId: idSchema });
export type GroupIdInput = z.infer<typeof groupIdInput>;

export const updateGroupInput = z.strictObject({
  groupId: idSchema,
  name: groupName.optional(),
  description: groupDescription.optional(),
  avatar: httpsUrlSchema.nullable().optional(),
});
export type UpdateGroupInput = z.infer<typeof updateGroupInput>;

export const addMembersInput = z.strictObject({ groupId: idSchema, userIds: memberIds });
export type AddMembersInput = z.infer<typeof addMembersInput>;

export const removeMemberInput = z.strictObject({ groupId: idSchema, userId: idSchema });
export type RemoveMemberInput = z.infer<typeof removeMemberInput>;

export const setRoleInput = z.strictObject({
  groupId: idSchema,
  userId: idSchema,
  role: z.enum(['admin', 'member']),
});
export type SetRoleInput = z.infer<typeof setRoleInput>;
