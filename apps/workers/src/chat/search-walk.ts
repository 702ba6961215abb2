import type { Types } from 'mongoose';
import { chunkOf, MESSAGE_CHUNK_SIZE, type ChatModels } from '@chat/db';

/** What the search reads of a message to decide whether it matches. */
export interface SearchRow {
  _id: Types.ObjectId;
  conversationId: string;
  createdAt: Date;
  words?: string[];
  deleted?: boolean;
  deletedFor?: string[];
}

export const SEARCH_FIELDS = {
  conversationId: 1,
  createdAt: 1,
  words: 1,
  deleted: 1,
  deletedFor: 1,
} as const;

/** One conversation to walk: its newest chunk and an upper bound of its messages' times. */
export interface WalkSource {
  conversationId: string;
  lastSeq: number;
  newest: Date;
}

/** Where a page starts: strictly older than (createdAt, id), newest first. */
export interface Position {
  at: Date;
  id: string;
}

export interface WalkResult {
  rows: SearchRow[];
  /** Set when the budget ran out first: where the next page starts. */
  resumeAt: Position | null;
  /** Chunks read (not counting the search for a cursor's place) and matches found in them. */
  reads: number;
  matched: number;
}

interface OpenSource {
  conversationId: string;
  /** The next chunk to read (older ones follow); -1 when the conversation is done. */
  next: number;
  /** Matches read but not taken yet, newest first. */
  buffer: SearchRow[];
  /** No message left to take here is newer than this. */
  bound: number;
}

/** A position id above every ObjectId: "everything at or before this time". */
const AFTER_ALL_IDS = 'f'.repeat(24);

export const newerFirst = (a: SearchRow, b: SearchRow): number =>
  b.createdAt.getTime() - a.createdAt.getTime() || (b._id.toString() < a._id.toString() ? -1 : 1);

export const isBefore = (row: SearchRow, from: Position | null): boolean =>
  !from ||
  row.createdAt.getTime() < from.at.getTime() ||
  (row.createdAt.getTime() === from.at.getTime() && row._id.toString() < from.id);

/**
 * A search for a word too common to read all its matches at once: each conversation is read
 * newest chunk first (`{chunk}`: an equality on an indexed field, ≤ 64 rows, cheap on
 * MongoDB and FerretDB alike) and the conversations are merged by time, opening a
 * conversation only once its newest message could still make the page. Its cost follows
 * how far back the page reaches, not how many messages hold the word. When `budget` chunk
 * reads are spent first, the page ends early with the time to resume from.
 *
 * The returned walk can be called again with a budget at least the last one's: it goes on
 * from where it stopped (the chunks read stay read) and ends exactly where a fresh walk with
 * that budget would. A smaller budget would have stopped earlier: that needs a fresh walker.
 */
export function chunkWalker(
  models: ChatModels,
  sources: WalkSource[],
  options: {
    matches: (row: SearchRow) => boolean;
    from: Position | null;
    want: number;
  },
): (budget: number) => Promise<WalkResult> {
  const { matches, from, want } = options;
  let reads = 0;
  let matched = 0;
  let lastBudget = 0;
  const readChunk = (conversationId: string, n: number): Promise<SearchRow[]> =>
    models.Message.find({ chunk: chunkOf(conversationId, n * MESSAGE_CHUNK_SIZE) })
      .select(SEARCH_FIELDS)
      .lean<SearchRow[]>();

  const cap = from ? from.at.getTime() : Infinity;
  const waiting = sources
    .map((s) => ({ ...s, bound: Math.min(s.newest.getTime(), cap) }))
    .sort((a, b) => b.bound - a.bound);
  // A page that takes no row must still end below where it started, or the next would repeat it.
  const startedAt = waiting[0]?.bound ?? 0;
  const open: OpenSource[] = [];
  const rows: SearchRow[] = [];
  const top = () => {
    let best: OpenSource | null = null;
    for (const s of open) if (!best || s.bound > best.bound) best = s;
    return best;
  };

  return async (budget) => {
    if (budget < lastBudget) throw new Error('chunkWalker: a budget below the last one');
    lastBudget = budget;
    while (rows.length < want) {
      const best = top();
      const nextWaiting = waiting[0];
      if (nextWaiting && (!best || nextWaiting.bound >= best.bound)) {
        waiting.shift();
        const last = Math.floor(nextWaiting.lastSeq / MESSAGE_CHUNK_SIZE);
        const start = from
          ? await chunkAtOrBefore(nextWaiting.conversationId, nextWaiting.newest, last, from.at)
          : last;
        open.push({
          conversationId: nextWaiting.conversationId,
          next: start,
          buffer: [],
          bound: nextWaiting.bound,
        });
        continue;
      }
      if (!best) break;
      const head = best.buffer[0];
      if (head) {
        best.buffer.shift();
        rows.push(head);
        best.bound = best.buffer[0]?.createdAt.getTime() ?? head.createdAt.getTime();
        continue;
      }
      if (best.next < 0) {
        open.splice(open.indexOf(best), 1);
        continue;
      }
      // Stops before touching any state, so a later call with a larger budget resumes here.
      if (reads >= budget && (rows.length > 0 || best.bound < startedAt)) {
        // Everything not taken is at or before the bound (and after the last row taken).
        const last = rows.at(-1);
        const resumeAt = last
          ? { at: last.createdAt, id: last._id.toString() }
          : { at: new Date(best.bound), id: AFTER_ALL_IDS };
        return { rows: [...rows], resumeAt, reads, matched };
      }
      reads++;
      const chunk = await readChunk(best.conversationId, best.next);
      best.next--;
      best.buffer = chunk.filter((r) => isBefore(r, from) && matches(r)).sort(newerFirst);
      matched += best.buffer.length;
      // Older chunks hold only messages at or before this chunk's oldest.
      const oldest = Math.min(...chunk.map((r) => r.createdAt.getTime()));
      best.bound = best.buffer[0]?.createdAt.getTime() ?? (chunk.length ? oldest : best.bound);
    }
    return { rows: [...rows], resumeAt: null, reads, matched };
  };

  /** The newest chunk holding a message at or before `at` (binary search on chunk times; not counted in the budget, so a page always gets past its cursor). */
  async function chunkAtOrBefore(
    conversationId: string,
    newest: Date,
    last: number,
    at: Date,
  ): Promise<number> {
    if (newest.getTime() <= at.getTime()) return last;
    let lo = 0;
    let hi = last;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const chunk = await readChunk(conversationId, mid);
      const oldest = Math.min(...chunk.map((r) => r.createdAt.getTime()));
      if (chunk.length > 0 && oldest <= at.getTime()) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}
