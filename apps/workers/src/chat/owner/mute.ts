import { Types } from 'mongoose';
import { AppError, type RequestMeta } from '@chat/core';
import { requireUserId, type Conversation, type MuteInput } from '@chat/api';
import type { ChatModels } from '@chat/db';
import { toConversation } from '../views.js';
import type { OwnerEngine } from './engine.js';
import type { ConversationEvents } from './events.js';

/**
 * The caller's own mute of a conversation (no notifications or pushes until then; events
 * still flow). A time in the past, or null, unmutes. The caller's other devices hear of it.
 */
export function mute(
  deps: { models: ChatModels; engine: OwnerEngine; events: ConversationEvents },
  input: MuteInput,
  meta: RequestMeta,
): Promise<Conversation> {
  const me = requireUserId(meta);
  return deps.engine.run(input.conversationId, async (state) => {
    const member = state?.members.get(me);
    if (!state || !member) throw new AppError('NOT_FOUND', 'Conversation not found');
    const until = input.until === null ? null : new Date(input.until);
    member.mutedUntil = until && until.getTime() > Date.now() ? until : null;
    await deps.models.Member.collection.updateOne(
      { _id: new Types.ObjectId(member.docId) },
      { $set: { mutedUntil: member.mutedUntil } },
    );
    await deps.events.conversationUpdated(
      state,
      { reason: 'muted', addedUserIds: [], actorId: me },
      [],
      meta,
      [me],
    );
    return toConversation(state.row, state.participants, member);
  });
}
