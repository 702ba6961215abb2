import { Types } from 'mongoose';
import { AppError, type RequestMeta } from '@chat/core';
import { requireUserId } from '@chat/api';
import type { ChatModels } from '@chat/db';
import { isObjectId } from '../ids.js';
import { afterHidden } from './bookkeeping.js';
import type { OwnerEngine } from './engine.js';
import type { ConversationEvents } from './events.js';
import type { MessageMeta } from './state.js';

export interface DeleteForMeDeps {
  models: ChatModels;
  engine: OwnerEngine;
  events: ConversationEvents;
}

/**
 * Hides a message from the caller's history; if it was unread it stops counting. The
 * caller's other devices hear of it (`message.deleted`).
 */
export function deleteForMe(
  deps: DeleteForMeDeps,
  conversationId: string,
  messageId: string,
  meta: RequestMeta,
): Promise<{ ok: true }> {
  const me = requireUserId(meta);
  return deps.engine.run(conversationId, async (state) => {
    const member = state?.members.get(me);
    if (!state || !member) throw new AppError('NOT_FOUND', 'Message not found');
    const message =
      state.byId(messageId) ??
      (isObjectId(messageId)
        ? await deps.models.Message.findById(messageId).lean<MessageMeta>()
        : null);
    if (!message || message.conversationId !== state.id)
      throw new AppError('NOT_FOUND', 'Message not found');
    const wasHidden = message.deletedFor.includes(me);
    if (!wasHidden) {
      await deps.models.Message.collection.updateOne(
        { _id: new Types.ObjectId(messageId) },
        { $addToSet: { deletedFor: me } },
      );
      message.deletedFor = [...message.deletedFor, me];
    }
    if (afterHidden(member, message.seq, message.senderId, wasHidden))
      await deps.models.Member.collection.updateOne(
        { _id: new Types.ObjectId(member.docId) },
        { $set: state.positionsToWrite(member) },
      );
    await deps.events.messageDeleted(state, me, messageId, meta);
    return { ok: true as const };
  });
}
