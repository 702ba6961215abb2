import type { Group, GroupRole } from '@chat/api';
import type { Types } from 'mongoose';
import type { ConversationRow } from '../views.js';

/** A group as read with `.lean()`. */
export interface GroupRow {
  _id: Types.ObjectId;
  name: string;
  description: string;
  avatar: string | null;
  creatorId: string;
  conversationId: string;
  members: { userId: string; role: GroupRole; joinedAt: Date }[];
  version: number;
  createdAt: Date;
}

/** A group conversation as read with `.lean()`: the shared row plus the synced group version. */
export type GroupConversationRow = ConversationRow & { groupVersion?: number | null };

export function toGroup(row: GroupRow): Group {
  return {
    id: String(row._id),
    name: row.name,
    description: row.description ?? '',
    avatar: row.avatar ?? null,
    creatorId: row.creatorId,
    conversationId: row.conversationId,
    members: row.members.map((m) => ({
      userId: m.userId,
      role: m.role,
      joinedAt: new Date(m.joinedAt).toISOString(),
    })),
    createdAt: new Date(row.createdAt).toISOString(),
  };
}
