import { Types } from 'mongoose';
import type { Logger } from '@chat/core';
import type { ChatModels } from '@chat/db';
import type { FileUrlSigner } from '@chat/files';
import { toMessage } from '../views.js';
import type { ConversationEvents } from './events.js';
import { closeGaps } from './gaps.js';
import { messagesAfter, type ConversationState } from './state.js';

/**
 * Finishes sends a crash interrupted: messages stored beyond the conversation's `lastSeq`
 * (the insert happened, the bookkeeping or the announcement didn't) are applied — the
 * senders' own-message marks, lastMessage — and announced (consumers dedupe by message
 * id). Runs whenever an owner loads a conversation, so the next owner repairs what the
 * previous one left; one chunk read when there is nothing to do.
 */
export async function repairTail(
  deps: { models: ChatModels; events: ConversationEvents; log: Logger; urls: FileUrlSigner },
  state: ConversationState,
): Promise<void> {
  const tail = await messagesAfter(deps.models, state.id, state.lastSeq);
  if (tail.length === 0) return;
  deps.log.warn(
    { conversationId: state.id, messages: tail.length },
    'finishing sends a crash interrupted',
  );
  // An unordered insert cut off mid-way (a network error) may have stored a later message of
  // its batch but not an earlier one. Nothing of that batch was announced (its insert failed),
  // so what it stored moves down: no seq is ever missing under `lastSeq`.
  const moved = await closeGaps(deps.models, state.id, state.lastSeq, tail);
  if (moved > 0)
    deps.log.warn({ conversationId: state.id, moved }, 'closed a gap a failed insert left');
  const senders = new Set<string>();
  for (const message of tail) if (state.applyStored(message)) senders.add(message.senderId);
  await Promise.all(
    [...senders].map((userId) => {
      const p = state.members.get(userId)!;
      return deps.models.Member.collection.updateOne(
        { _id: new Types.ObjectId(p.docId) },
        { $set: state.positionsToWrite(p) },
      );
    }),
  );
  await deps.models.Conversation.collection.updateOne(
    { _id: state.row._id },
    {
      $set: {
        lastSeq: state.row.lastSeq,
        lastMessage: state.row.lastMessage,
        updatedAt: state.row.updatedAt,
      },
    },
  );
  const participants = state.participants;
  await deps.events.messagesSent(
    state,
    tail.map((message) => ({
      message: toMessage(message, participants, deps.urls),
      meta: { requestId: `repair-${state.id}` },
    })),
  );
}
