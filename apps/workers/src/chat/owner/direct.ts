import { Types } from 'mongoose';
import { AppError, type RequestMeta } from '@chat/core';
import { requireUserId, type Conversation } from '@chat/api';
import type { ChatModels } from '@chat/db';
import { toConversation } from '../views.js';
import type { OwnerEngine } from './engine.js';
import type { ConversationEvents } from './events.js';
import { insertMembers } from './groups.js';
import { insertNewConversation } from './new-conversation.js';
import type { ConversationState } from './state.js';

/** The unique key of the direct conversation of two users, whoever asks. */
export const directKey = (a: string, b: string): string => `direct:${[a, b].sort().join(':')}`;

export interface DirectDeps {
  models: ChatModels;
  engine: OwnerEngine;
  events: ConversationEvents;
}

/**
 * chat.openDirect at the pair's owner: the conversation's id is derived from the pair
 * (chat/direct.ts), so both users' opens come here and run one after another — the first
 * creates it, the second finds it. Announced (`conversation.updated`, created) until that is
 * recorded, so a crash between the two re-announces on the next open.
 */
export function openDirect(
  deps: DirectDeps,
  conversationId: string,
  otherId: string,
  meta: RequestMeta,
): Promise<Conversation> {
  const me = requireUserId(meta);
  return deps.engine.run(conversationId, async (found) => {
    let state: ConversationState | null = found;
    if (!state) {
      const now = new Date();
      await insertNewConversation(
        deps.models,
        {
          _id: new Types.ObjectId(conversationId),
          type: 'direct',
          key: directKey(me, otherId),
          memberCount: 2,
          name: null,
          description: null,
          avatar: null,
          creatorId: null,
          announced: false,
        },
        now,
      );
      await insertMembers(
        deps.models,
        conversationId,
        [me, otherId].sort().map((userId) => ({ userId, role: 'member' as const })),
        0,
        now,
        0,
      );
      state = await deps.engine.reload(conversationId);
      if (!state) throw new AppError('SERVICE_UNAVAILABLE', 'Conversation vanished; retry');
    }
    const viewer = state.members.get(me);
    if (!viewer || state.row.type !== 'direct')
      throw new AppError('NOT_FOUND', 'Conversation not found');
    if (!state.row.announced) {
      await deps.events.conversationUpdated(
        state,
        { reason: 'created', addedUserIds: [], actorId: me },
        [],
        meta,
      );
      await deps.models.Conversation.collection.updateOne(
        { _id: state.row._id },
        { $set: { announced: true } },
      );
      state.row.announced = true;
    }
    return toConversation(state.row, state.participants, viewer);
  });
}
