import { AppError } from '@chat/core';
import { RECEIPT_LISTS_MAX_PARTICIPANTS, requireUserId, type RpcHandlers } from '@chat/api';
import {
  chunkOf,
  MESSAGE_CHUNK_SIZE,
  type ChatModels,
  type ConversationRow,
  type MemberRow,
  type MessageRow,
} from '@chat/db';
import type { ChatDeps } from './deps.js';
import {
  decodeActivityCursor,
  decodeSeqCursor,
  encodeActivityCursor,
  encodeSeqCursor,
} from './cursors.js';
import { isObjectId } from './ids.js';
import { participantsOf, toConversation, toGroup, toMessage, type Participant } from './views.js';

type Handlers = Pick<
  RpcHandlers<'chat' | 'group'>,
  'chat.conversations' | 'chat.conversation' | 'chat.messages' | 'chat.contactsOf' | 'group.get'
>;

const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);

/** A conversation with its participants, if `userId` is one of them; else NOT_FOUND. */
async function memberView(
  models: ChatModels,
  conversationId: string,
  userId: string,
  what = 'Conversation',
): Promise<{ row: ConversationRow; participants: Participant[]; viewer: Participant }> {
  if (!isObjectId(conversationId)) throw notFound(what);
  const [row, members] = await Promise.all([
    models.Conversation.findById(conversationId).lean<ConversationRow>(),
    models.Member.find({ conversationId }).lean<MemberRow[]>(),
  ]);
  // Not a participant (any more): the conversation does not exist for them.
  if (!row) throw notFound(what);
  const participants = participantsOf(row, members);
  const viewer = participants.find((p) => p.userId === userId);
  if (!viewer) throw notFound(what);
  return { row, participants, viewer };
}

/**
 * Reads, answered by any chat worker straight from the store (the owner writes everything
 * before it answers, so a read after a write sees it). Every filter is an equality on an
 * indexed field (`_id`, `userId`, `conversationId`, `chunk`), so reads stay flat as the
 * store grows, on MongoDB and on FerretDB alike.
 */
export const readHandlers = ({ models, urls }: ChatDeps): Handlers => ({
  'chat.conversations': async (input, meta) => {
    const me = requireUserId(meta);
    const after = input.cursor === undefined ? null : decodeActivityCursor(input.cursor);
    const mine = await models.Member.find({ userId: me }).lean<MemberRow[]>();
    if (mine.length === 0) return { items: [], nextCursor: null };
    const rows = await models.Conversation.find({
      _id: { $in: mine.map((m) => m.conversationId) },
      ...(after
        ? {
            $or: [
              { updatedAt: { $lt: after.updatedAt } },
              { updatedAt: after.updatedAt, _id: { $lt: after.id } },
            ],
          }
        : {}),
    })
      .sort({ updatedAt: -1, _id: -1 })
      .limit(input.limit + 1)
      .lean<ConversationRow[]>();
    const page = rows.slice(0, input.limit);
    const items = await Promise.all(
      page.map(async (row) => {
        const members = await models.Member.find({ conversationId: row._id.toString() }).lean<
          MemberRow[]
        >();
        const participants = participantsOf(row, members);
        const viewer = participants.find((p) => p.userId === me);
        return viewer ? toConversation(row, participants, viewer) : null;
      }),
    );
    const last = page.at(-1);
    return {
      items: items.filter((c) => c !== null),
      nextCursor:
        rows.length > input.limit && last
          ? encodeActivityCursor(last.updatedAt, last._id.toString())
          : null,
    };
  },

  'chat.conversation': async (input, meta) => {
    const { row, participants, viewer } = await memberView(
      models,
      input.conversationId,
      requireUserId(meta),
    );
    return toConversation(row, participants, viewer);
  },

  'chat.messages': async (input, meta) => {
    const me = requireUserId(meta);
    const before = input.cursor === undefined ? null : decodeSeqCursor(input.cursor);
    const { row, participants } = await memberView(models, input.conversationId, me);
    const id = row._id.toString();
    // Newest first, chunk by chunk from the one holding the first seq we want.
    const below = Math.min(before ?? Infinity, row.lastSeq + 1);
    const found: MessageRow[] = [];
    for (let chunk = Math.floor((below - 1) / MESSAGE_CHUNK_SIZE); chunk >= 0; chunk--) {
      if (below <= 1) break;
      const rows = await models.Message.find({
        chunk: chunkOf(id, chunk * MESSAGE_CHUNK_SIZE),
      }).lean<MessageRow[]>();
      found.push(...rows.filter((m) => m.seq < below && !(m.deletedFor ?? []).includes(me)));
      if (found.length > input.limit) break;
    }
    found.sort((a, b) => b.seq - a.seq);
    const page = found.slice(0, input.limit);
    const last = page.at(-1);
    return {
      items: page.map((m) => toMessage(m, participants, urls)),
      nextCursor: found.length > input.limit && last ? encodeSeqCursor(last.seq) : null,
    };
  },

  'group.get': async (input, meta) => {
    const { row, participants } = await memberView(
      models,
      input.groupId,
      requireUserId(meta),
      'Group',
    );
    if (row.type !== 'group') throw notFound('Group');
    return toGroup(row, participants);
  },

  /**
   * Everyone sharing a conversation with the user — for presence. Groups larger than
   * RECEIPT_LISTS_MAX_PARTICIPANTS are left out: presence to every member of a huge group
   * on every connect would cost more than it tells anyone.
   */
  'chat.contactsOf': async (input) => {
    const mine = await models.Member.find({ userId: input.userId }).lean<MemberRow[]>();
    const conversations = await models.Conversation.find(
      { _id: { $in: mine.map((m) => m.conversationId) } },
      { memberCount: 1 },
    ).lean<Array<{ _id: { toString(): string }; memberCount: number }>>();
    const small = conversations.filter((c) => c.memberCount <= RECEIPT_LISTS_MAX_PARTICIPANTS);
    const members = await Promise.all(
      small.map((c) =>
        models.Member.find({ conversationId: c._id.toString() }, { userId: 1 }).lean<
          Array<{ userId: string }>
        >(),
      ),
    );
    const contacts = new Set(members.flat().map((m) => m.userId));
    contacts.delete(input.userId);
    return { userIds: [...contacts] };
  },
});
