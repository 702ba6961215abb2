import { Types } from 'mongoose';
import { AppError, type RequestMeta } from '@chat/core';
import type { ChatModels } from '@chat/db';
import type { MarkDeliveredInput, MarkReadInput } from '@chat/api';
import { isObjectId } from '../ids.js';
import { afterDelivered, afterRead } from './bookkeeping.js';
import type { Command } from './engine.js';
import type { ConversationEvents } from './events.js';
import { messagesBetween, type ConversationState, type MessageMeta } from './state.js';
import type { ChatStore } from './store.js';

export type ReceiptCommand = Command & { meta: RequestMeta } & (
    { kind: 'read'; input: MarkReadInput } | { kind: 'delivered'; input: MarkDeliveredInput }
  );

export interface ReceiptDeps {
  models: ChatModels;
  store: ChatStore;
  events: ConversationEvents;
}

const notFound = () => new AppError('NOT_FOUND', 'Message not found');

/**
 * Receipts are positions (see the member model): marking read or delivered moves one
 * member's position, one small write however many messages it covers. A batch of receipts
 * of one conversation shares its writes; each gets its own `message.status` event listing
 * the messages whose receipt changed.
 */
export async function runReceipts(
  deps: ReceiptDeps,
  state: ConversationState,
  commands: ReceiptCommand[],
): Promise<void> {
  const changed = new Set<string>();
  const done: Array<() => Promise<void>> = [];
  for (const command of commands) {
    try {
      const me = command.meta.userId ?? '';
      const member = state.members.get(me);
      if (!member) throw new AppError('NOT_FOUND', 'Conversation not found');
      if (command.kind === 'read') {
        const upTo = await findMessages(deps.models, state, [command.input.upToMessageId]);
        const seq = upTo[0]!.seq;
        const from = member.readSeq;
        if (seq <= from) {
          command.resolve({ updated: 0 });
          continue;
        }
        const between = await range(deps.models, state, from, seq);
        const newlyRead = between.filter((m) => m.senderId !== me);
        const at = new Date();
        // Deleted for everyone or for them: what afterHidden counted while it was unread.
        const hiddenRead = newlyRead.filter((m) => m.deleted || m.deletedFor.includes(me)).length;
        afterRead(member, seq, at, between.length - newlyRead.length, hiddenRead);
        changed.add(me);
        done.push(async () => {
          if (newlyRead.length > 0)
            await deps.events.status(
              state,
              { messageIds: ids(newlyRead), userId: me, status: 'read', at: at.toISOString() },
              newlyRead.map((m) => m.senderId),
              command.meta,
            );
          command.resolve({ updated: newlyRead.length });
        });
      } else {
        const given = await findMessages(deps.models, state, [
          ...new Set(command.input.messageIds),
        ]);
        const before = Math.max(member.deliveredSeq, member.readSeq);
        const updated = given.filter((m) => m.senderId !== me && m.seq > before).length;
        const upTo = Math.max(0, ...given.filter((m) => m.senderId !== me).map((m) => m.seq));
        if (!afterDelivered(member, upTo)) {
          command.resolve({ updated: 0 });
          continue;
        }
        changed.add(me);
        const newlyDelivered = (await range(deps.models, state, before, upTo)).filter(
          (m) => m.senderId !== me,
        );
        const at = new Date().toISOString();
        done.push(async () => {
          await deps.events.status(
            state,
            { messageIds: ids(newlyDelivered), userId: me, status: 'delivered', at },
            newlyDelivered.map((m) => m.senderId),
            command.meta,
          );
          command.resolve({ updated });
        });
      }
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      command.reject(err);
    }
  }
  await Promise.all(
    [...changed].map((userId) => {
      const p = state.members.get(userId)!;
      return deps.store.setMember({
        _id: new Types.ObjectId(p.docId),
        set: state.positionsToWrite(p),
      });
    }),
  );
  await Promise.all(done.map((d) => d()));
}

const ids = (messages: MessageMeta[]) => messages.map((m) => m._id.toString());

/**
 * The messages with these ids, all of this conversation, else NOT_FOUND (no partial
 * success, no probing of other conversations): from memory, else by id from the store.
 */
async function findMessages(
  models: ChatModels,
  state: ConversationState,
  messageIds: string[],
): Promise<MessageMeta[]> {
  if (!messageIds.every(isObjectId)) throw notFound();
  return Promise.all(
    messageIds.map(async (id) => {
      const message =
        state.byId(id) ??
        (await models.Message.findById(id)
          .lean<MessageMeta>()
          .then((m) => m ?? undefined));
      if (!message || message.conversationId !== state.id) throw notFound();
      return message;
    }),
  );
}

/** The messages with seq in (from, to]: from memory when it holds them all. */
async function range(
  models: ChatModels,
  state: ConversationState,
  from: number,
  to: number,
): Promise<MessageMeta[]> {
  const inMemory: MessageMeta[] = [];
  for (let seq = from + 1; seq <= to; seq++) {
    const m = state.recent.get(seq);
    if (!m) return messagesBetween(models, state.id, from, to);
    inMemory.push(m);
  }
  return inMemory;
}
