import type { Ledger, SendRecord } from './ledger.js';

/** A message as `chat.messages` returns it (the fields the checks read). */
export interface StoredMessage {
  id: string;
  clientId: string;
  senderId: string;
  conversationId: string;
  readBy: Array<{ userId: string }>;
}

/** One user's `unreadCount` of one conversation, from `chat.conversations`. */
export interface UnreadCount {
  userId: string;
  conversationId: string;
  unreadCount: number;
}

export interface PhaseRow {
  name: string;
  /** Sends written in this phase that were acknowledged / never acknowledged / refused for good. */
  acked: number;
  unacked: number;
  rejected: number;
  /** Deliveries (message × participant) that never arrived, with no resync to announce it. */
  lost: number;
  /** Deliveries that never arrived but a resync told the subscriber to reload. */
  coveredByResync: number;
  /** Acknowledged messages absent from chat.messages. */
  missing: number;
  /** Second deliveries to one subscriber plus extra stored copies of one clientId. */
  duplicated: number;
  /** Subscribers that received a resync during this phase. */
  resyncs: number;
  /** Event ids at or below one the subscriber had already received. */
  regressions: number;
  /** Messages a subscriber received after a later message of the same conversation. */
  reordered: number;
  downS: number | null;
  recoveryS: number | null;
  recovered: boolean;
  errors: Map<string, number>;
  unexpectedExits: string[];
}

export interface Analysis {
  rows: PhaseRow[];
  unreadDrift: Array<UnreadCount & { expected: number }>;
  /** One line per kind of failure; empty = the run passed. */
  failures: string[];
  /** A few concrete cases per kind, for the log. */
  samples: string[];
}

/** Concrete cases printed per kind of failure and phase. */
const MAX_SAMPLES = 3;

export function analyse(
  ledger: Ledger,
  history: Map<string, StoredMessage[]>,
  unread: UnreadCount[],
): Analysis {
  const rows = ledger.phases.map((phase): PhaseRow => {
    const faulted = phase.faultAt !== null;
    return {
      name: phase.name,
      acked: 0,
      unacked: 0,
      rejected: 0,
      lost: 0,
      coveredByResync: 0,
      missing: 0,
      duplicated: 0,
      resyncs: 0,
      regressions: 0,
      reordered: 0,
      downS: faulted && phase.restoredAt ? (phase.restoredAt - phase.faultAt!) / 1000 : null,
      recoveryS:
        faulted && phase.restoredAt && phase.recoveredAt
          ? (phase.recoveredAt - phase.restoredAt) / 1000
          : null,
      recovered: !faulted || phase.recoveredAt !== null,
      errors: new Map(),
      unexpectedExits: [...phase.unexpectedExits],
    };
  });
  const samples: Record<string, string[]> = {};
  const sample = (kind: string, text: string) => {
    const list = (samples[kind] ??= []);
    if (list.length < MAX_SAMPLES) list.push(text);
  };

  const byMessageId = new Map<string, SendRecord>();
  const storedById = new Map<string, StoredMessage>();
  for (const messages of history.values()) for (const m of messages) storedById.set(m.id, m);

  // A send never tried (the run ended first) counts in the last phase.
  const phaseOf = (send: SendRecord) => (send.phase >= 0 ? send.phase : rows.length - 1);
  for (const send of ledger.sends) {
    const row = rows[phaseOf(send)]!;
    if (send.rejected) {
      row.rejected++;
      sample('rejected', `${send.clientId}: ${send.rejected}`);
      continue;
    }
    if (!send.messageId) {
      row.unacked++;
      sample('unacked', `${send.clientId} in ${row.name} after ${send.attempts} attempts`);
      continue;
    }
    row.acked++;
    byMessageId.set(send.messageId, send);
    if (!storedById.has(send.messageId)) {
      row.missing++;
      sample('missing', `message ${send.messageId} (clientId ${send.clientId}) not in history`);
    }
    const participants = ledger.conversations.get(send.conversationId) ?? [];
    for (const userId of participants) {
      const feed = ledger.feeds.get(userId);
      if (feed?.received.has(send.messageId)) continue;
      if (feed?.resyncs.some((r) => r.at >= send.firstAttemptAt)) row.coveredByResync++;
      else {
        row.lost++;
        const got = participants.filter((p) => ledger.feeds.get(p)?.received.has(send.messageId!));
        const offline = ledger.phases[phaseOf(send)]!.offline.includes(userId) ? ', offline' : '';
        sample(
          `lost in ${row.name}`,
          `message ${send.messageId} (${row.name}, ${new Date(send.firstAttemptAt).toISOString()}) never reached ${userId}${offline}; ${got.length}/${participants.length} participants got it`,
        );
      }
    }
  }

  for (const feed of ledger.feeds.values()) {
    for (const d of feed.duplicates) {
      const send = byMessageId.get(d.messageId);
      rows[send ? phaseOf(send) : ledger.phaseAt(d.at)]!.duplicated++;
      sample('duplicated', `message ${d.messageId} twice to ${feed.userId} (event ${d.eventId})`);
    }
    for (const r of feed.regressions) {
      rows[ledger.phaseAt(r.at)]!.regressions++;
      sample('regressions', `${feed.userId}: ${r.type} ${r.next} after ${r.previous}`);
    }
    const phasesWithResync = new Set(feed.resyncs.map((r) => ledger.phaseAt(r.at)));
    for (const p of phasesWithResync) rows[p]!.resyncs++;
  }

  // Each subscriber gets a conversation's messages in its order (history is newest first).
  const position = new Map<string, number>();
  for (const messages of history.values())
    messages.forEach((m, i) => position.set(m.id, messages.length - i));
  for (const feed of ledger.feeds.values()) {
    const latest = new Map<string, { id: string; at: number }>();
    for (const id of feed.received.keys()) {
      const message = storedById.get(id);
      const at = position.get(id);
      if (!message || at === undefined) continue;
      const before = latest.get(message.conversationId);
      if (before && before.at > at) {
        const send = byMessageId.get(id);
        rows[send ? phaseOf(send) : ledger.phaseAt(feed.received.get(id)!)]!.reordered++;
        sample('reordered', `${feed.userId} got message ${id} after the later ${before.id}`);
        continue;
      }
      latest.set(message.conversationId, { id, at });
    }
  }

  // Two stored messages for one clientId of one sender: the idempotent send failed.
  const copies = new Map<string, number>();
  for (const m of storedById.values()) {
    const key = `${m.senderId}/${m.clientId}`;
    copies.set(key, (copies.get(key) ?? 0) + 1);
  }
  const sendByClientId = new Map(ledger.sends.map((s) => [`${s.senderId}/${s.clientId}`, s]));
  for (const [key, count] of copies) {
    if (count < 2) continue;
    const send = sendByClientId.get(key);
    rows[send ? phaseOf(send) : rows.length - 1]!.duplicated += count - 1;
    sample('duplicated', `${count} stored messages for clientId ${key}`);
  }

  for (const [time, code] of ledger.errors) {
    const errors = rows[ledger.phaseAt(time)]!.errors;
    errors.set(code, (errors.get(code) ?? 0) + 1);
  }

  const unreadDrift = unread.flatMap((u) => {
    const expected = (history.get(u.conversationId) ?? []).filter(
      (m) => m.senderId !== u.userId && !m.readBy.some((r) => r.userId === u.userId),
    ).length;
    return expected === u.unreadCount ? [] : [{ ...u, expected }];
  });
  for (const d of unreadDrift)
    sample(
      'unread',
      `${d.userId} in ${d.conversationId}: ${d.unreadCount}, history says ${d.expected}`,
    );

  const sum = (
    key: 'lost' | 'missing' | 'duplicated' | 'regressions' | 'reordered' | 'unacked' | 'rejected',
  ) => rows.reduce((n, r) => n + r[key], 0);
  const failures = [
    sum('lost') && `${sum('lost')} deliveries lost without a resync`,
    sum('missing') && `${sum('missing')} acknowledged messages missing from history`,
    sum('duplicated') && `${sum('duplicated')} duplicates`,
    sum('regressions') && `${sum('regressions')} event ids that did not increase`,
    sum('reordered') &&
      `${sum('reordered')} messages received after a later one of their conversation`,
    unreadDrift.length && `${unreadDrift.length} unread counts that disagree with history`,
    sum('unacked') && `${sum('unacked')} sends never acknowledged`,
    sum('rejected') && `${sum('rejected')} sends refused for good`,
    ...rows.filter((r) => !r.recovered).map((r) => `no recovery after ${r.name}`),
  ].filter((f): f is string => typeof f === 'string');

  return {
    rows,
    unreadDrift,
    failures,
    samples: Object.entries(samples).flatMap(([kind, list]) => list.map((s) => `${kind}: ${s}`)),
  };
}
