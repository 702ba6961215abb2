import { AppError } from '@chat/core';
import { requireUserId, searchWords, type Message, type RpcHandlers } from '@chat/api';
import type { MemberRow, MessageRow } from '@chat/db';
import type { ChatDeps } from './deps.js';
import { decodeActivityCursor, encodeActivityCursor } from './cursors.js';
import { isObjectId } from './ids.js';
import { participantOf, toMessage, type Participant } from './views.js';

type Handlers = Pick<RpcHandlers<'chat'>, 'chat.search'>;

/** Rows read per round while filtering: a page rarely needs more than one round. */
const ROUND = 200;

/**
 * chat.search: messages holding every word of the query (case-folded, see searchWords) in
 * the caller's conversations, newest first. The store is asked for one word by equality —
 * the longest, usually the rarest — which MongoDB serves from the `{words, createdAt}`
 * multikey index in order and FerretDB from its GIN companion; the other words, membership
 * and deletions are checked here. Words are matched whole and literally: no pattern from
 * the query ever reaches the store.
 */
export const searchHandlers = ({ models, urls }: ChatDeps): Handlers => ({
  'chat.search': async (input, meta) => {
    const me = requireUserId(meta);
    const words = searchWords(input.query);
    let conversationIds: string[];
    if (input.conversationId) {
      const member =
        isObjectId(input.conversationId) &&
        (await models.Member.exists({ conversationId: input.conversationId, userId: me }));
      if (!member) throw new AppError('NOT_FOUND', 'Conversation not found');
      conversationIds = [input.conversationId];
    } else {
      conversationIds = (
        await models.Member.find({ userId: me }, { conversationId: 1 }).lean<MemberRow[]>()
      ).map((m) => m.conversationId);
    }
    if (words.length === 0 || conversationIds.length === 0) return { items: [], nextCursor: null };

    const wanted = words;
    const key = words.reduce((a, b) => (b.length > a.length ? b : a));
    const mine = new Set(conversationIds);
    const found: MessageRow[] = [];
    let after = input.cursor === undefined ? null : decodeActivityCursor(input.cursor);
    for (;;) {
      // Only what the filter needs: FerretDB hands back every match (it can't push the sort
      // and limit down), so each is kept small; the page's messages are read whole below.
      const rows = await models.Message.find(
        {
          words: key,
          ...(conversationIds.length === 1 ? { conversationId: conversationIds[0] } : {}),
          ...(after
            ? {
                $or: [
                  { createdAt: { $lt: after.updatedAt } },
                  { createdAt: after.updatedAt, _id: { $lt: after.id } },
                ],
              }
            : {}),
        },
        { conversationId: 1, createdAt: 1, words: 1, deleted: 1, deletedFor: 1 },
      )
        .sort({ createdAt: -1, _id: -1 })
        .limit(ROUND)
        .lean<MessageRow[]>();
      for (const row of rows) {
        const has = new Set(row.words ?? []);
        if (
          mine.has(row.conversationId) &&
          !row.deleted &&
          !(row.deletedFor ?? []).includes(me) &&
          wanted.every((w) => has.has(w))
        )
          found.push(row);
      }
      const last = rows.at(-1);
      if (found.length > input.limit || rows.length < ROUND || !last) break;
      after = { updatedAt: last.createdAt, id: last._id.toString() };
    }

    const page = (
      await Promise.all(
        found.slice(0, input.limit).map((m) => models.Message.findById(m._id).lean<MessageRow>()),
      )
    ).filter((m): m is MessageRow => m !== null);
    const participants = new Map<string, Participant[]>();
    await Promise.all(
      [...new Set(page.map((m) => m.conversationId))].map(async (id) => {
        const members = await models.Member.find({ conversationId: id }).lean<MemberRow[]>();
        participants.set(id, members.map(participantOf));
      }),
    );
    const items: Message[] = page.map((m) =>
      toMessage(m, participants.get(m.conversationId) ?? [], urls),
    );
    const last = found[input.limit - 1];
    return {
      items,
      nextCursor:
        found.length > input.limit && last
          ? encodeActivityCursor(last.createdAt, last._id.toString())
          : null,
    };
  },
});
