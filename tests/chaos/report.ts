import type { Analysis, PhaseRow } from './analysis.js';

const HEADER = [
  'fault',
  'acked',
  'lost',
  'missing',
  'dup',
  'resync',
  'id↓',
  'order',
  'unacked',
  'down s',
  'recovery s',
  'errors seen by clients',
];

const seconds = (s: number | null) => (s === null ? '–' : s.toFixed(1));

/** "send:SERVICE_UNAVAILABLE 12, stream:NETWORK 3", most frequent first, plus processes that died. */
function errorsCell(row: PhaseRow): string {
  const errors = [...row.errors].sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${n}`);
  const exits = row.unexpectedExits.map((e) => `EXITED ${e}`);
  return [...exits, ...errors].join(', ') || '–';
}

function cells(row: PhaseRow): string[] {
  return [
    row.name,
    String(row.acked),
    row.coveredByResync ? `${row.lost} (+${row.coveredByResync} after resync)` : String(row.lost),
    String(row.missing),
    String(row.duplicated),
    String(row.resyncs),
    String(row.regressions),
    String(row.reordered),
    String(row.unacked + row.rejected),
    seconds(row.downS),
    row.recovered ? seconds(row.recoveryS) : 'NONE',
    errorsCell(row),
  ];
}

/** The per-fault table as Markdown, columns padded so it also reads well in a terminal. */
export function chaosTable(analysis: Analysis): string {
  const rows = [HEADER, ...analysis.rows.map(cells)];
  const widths = HEADER.map((_, i) =>
    i === HEADER.length - 1 ? 0 : Math.max(...rows.map((r) => [...r[i]!].length)),
  );
  const line = (r: string[]) =>
    `| ${r.map((c, i) => c + ' '.repeat(Math.max(0, widths[i]! - [...c].length))).join(' | ')} |`;
  const rule = `| ${widths.map((w) => '-'.repeat(Math.max(3, w))).join(' | ')} |`;
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}

export const COLUMN_NOTES = `acked: sends written during the phase and acknowledged; lost: deliveries (message × participant, the sender included) that never arrived over events.stream and no resync announced, "+n after resync" are gaps a resync did announce; missing: acknowledged but absent from chat.messages; dup: a message delivered twice to one subscriber without a resync between, or stored twice for one clientId; resync: subscribers that received one; id↓: event ids not above one already received; order: messages a subscriber received after a later message of the same conversation; unacked: never acknowledged by the end (or refused for good); down s: fault until the part was back; recovery s: from then until every process was ready and a send tried after it was acknowledged; errors: failed calls by procedure and code (stream: WebSocket/subscription).`;
