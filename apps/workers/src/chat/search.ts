import { AppError } from '@chat/core';
import { requireUserId, searchWords, type Message, type RpcHandlers } from '@chat/api';
import type { ConversationRow, MemberRow, MessageRow } from '@chat/db';
import type { ChatDeps } from './deps.js';
import { decodeActivityCursor, encodeActivityCursor } from './cursors.js';
import { isObjectId } from './ids.js';
import { chunkWalker, isBefore, newerFirst, SEARCH_FIELDS, type SearchRow } from './search-walk.js';
import { participantOf, toMessage, type Participant } from './views.js';

type Handlers = Pick<RpcHandlers<'chat'>, 'chat.search'>;

/** Chunks the first, short walk reads to see how common the query is. */
const FIRST_READS = 4;

/**
 * chat.search: messages holding every word of the query (case-folded, see searchWords) in
 * the caller's conversations, newest first. Two ways to find them, both with equality
 * filters on indexed fields only, so neither reads a word's every match (FerretDB pushes no
 * sort or limit down after a filter, and its driver drains what a limit cuts off):
 * - walking the conversations newest chunk first (search-walk.ts): a few chunks are read
 *   first, and a query they show to be common fills the page by walking on (up to
 *   SEARCH_WALK_BUDGET chunks; a page may then end early, with a cursor to go on);
 * - for a rarer query, all matches of its longest word when there are at most
 *   SEARCH_PROBE_MATCHES of them, sorted here (more: the walk goes on after all).
 * The other words, membership and deletions are checked here. Words are matched whole and
 * literally: no pattern from the query ever reaches the store.
 */
export const searchHandlers = ({ models, urls, env }: ChatDeps): Handlers => ({
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

    const key = words.reduce((a, b) => (b.length > a.length ? b : a));
    const mine = new Set(conversationIds);
    const matches = (row: SearchRow) => {
      const has = new Set(row.words ?? []);
      return (
        mine.has(row.conversationId) &&
        !row.deleted &&
        !(row.deletedFor ?? []).includes(me) &&
        words.every((w) => has.has(w))
      );
    };
    const from = input.cursor === undefined ? null : decodeActivityCursor(input.cursor);
    const position = from && { at: from.updatedAt, id: from.id };
    const want = input.limit + 1;

    const scope = conversationIds.length === 1 ? { conversationId: conversationIds[0] } : {};
    // The conversations are read once: a second walk goes on from the first (chunkWalker).
    const conversations = await models.Conversation.find(
      { _id: { $in: conversationIds } },
      { lastSeq: 1, updatedAt: 1, lastMessage: 1 },
    ).lean<ConversationRow[]>();
    const sources = conversations.map((c) => ({
      conversationId: c._id.toString(),
      lastSeq: c.lastSeq,
      newest: new Date(Math.max(c.updatedAt.getTime(), c.lastMessage?.createdAt.getTime() ?? 0)),
    }));
    const walker = () => chunkWalker(models, sources, { matches, from: position, want });

    // A few chunks tell how common the query is: a common one fills the page by walking on,
    // a rare one is cheaper to read in full.
    const firstBudget = Math.min(conversationIds.length, FIRST_READS);
    let walk = walker();
    const first = await walk(firstBudget);
    let { rows: found, resumeAt } = first;
    const readsToFill =
      first.matched === 0 ? Infinity : ((want - found.length) * first.reads) / first.matched;
    if (resumeAt && readsToFill > env.SEARCH_WALK_BUDGET / 2) {
      const PROBE = env.SEARCH_PROBE_MATCHES;
      const probe = await models.Message.find({ words: key, ...scope })
        .select(SEARCH_FIELDS)
        .limit(PROBE + 1)
        .lean<SearchRow[]>();
      if (probe.length <= PROBE) {
        found = probe
          .filter((r) => matches(r) && isBefore(r, position))
          .sort(newerFirst)
          .slice(0, want);
        resumeAt = null;
      }
    }
    if (resumeAt) {
      // A budget below the first walk's (a tiny SEARCH_WALK_BUDGET) stops earlier: start over.
      if (env.SEARCH_WALK_BUDGET < firstBudget) walk = walker();
      ({ rows: found, resumeAt } = await walk(env.SEARCH_WALK_BUDGET));
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
    const nextCursor =
      found.length > input.limit && last
        ? encodeActivityCursor(last.createdAt, last._id.toString())
        : resumeAt
          ? encodeActivityCursor(resumeAt.at, resumeAt.id)
          : null;
    return { items, nextCursor };
  },
});
