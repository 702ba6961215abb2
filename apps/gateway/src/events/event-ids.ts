/**
 * Event ids as clients see them: `<epoch>-<ms>-<seq>`, the event logs' epoch (see epoch.ts)
 * and the Redis stream entry id. Ids only increase per user: within an epoch stream ids
 * increase; a new epoch is larger than every earlier one.
 */

export interface EventId {
  epoch: bigint;
  /** The stream entry id, `<ms>-<seq>`. */
  entry: string;
}

/** Parses a client's id; null for the old two-part form (no epoch: answered with resync). */
export function parseEventId(id: string): EventId | null {
  const m = /^(\d{1,20})-(\d{1,20}-\d{1,20})$/.exec(id);
  return m ? { epoch: BigInt(m[1]!), entry: m[2]! } : null;
}

export const formatEventId = (epoch: bigint, entry: string): string => `${epoch}-${entry}`;

/** Redis stream ids (`<ms>-<seq>`) compared numerically: -1, 0 or 1. */
export function compareEntries(a: string, b: string): number {
  const [aMs, aSeq] = split(a);
  const [bMs, bSeq] = split(b);
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  if (aSeq !== bSeq) return aSeq < bSeq ? -1 : 1;
  return 0;
}

/** Full event ids compared: epoch first, then the entry. */
export function compareEventIds(a: EventId, b: EventId): number {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  return compareEntries(a.entry, b.entry);
}

export const maxEntry = (a: string, b: string): string => (compareEntries(a, b) >= 0 ? a : b);

function split(id: string): [bigint, bigint] {
  const dash = id.indexOf('-');
  if (dash < 0) return [BigInt(id), 0n];
  return [BigInt(id.slice(0, dash)), BigInt(id.slice(dash + 1))];
}
