/**
 * Shows the plans PostgreSQL chose for FerretDB's real statements: switches on
 * auto_explain (preloaded by the launcher) for one run of each probe, then reads the
 * plans back from the server log. Proves which query shapes use an index.
 */
import { readFileSync, statSync } from 'node:fs';
import { setServer, type PgAccess } from './pg.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `each` probe with plan logging on; returns probe name → its statements' plan nodes. */
export async function explainProbes(
  pg: PgAccess,
  probes: Record<string, () => Promise<unknown>>,
): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  await setServer(pg, { 'auto_explain.log_min_duration': '0', 'auto_explain.log_analyze': 'on' });
  try {
    for (const [name, run] of Object.entries(probes)) {
      const from = statSync(pg.log).size;
      await run();
      await sleep(300);
      out[name] = planNodes(readFileSync(pg.log, 'utf8').slice(from));
    }
  } finally {
    await setServer(pg, {
      'auto_explain.log_min_duration': null,
      'auto_explain.log_analyze': null,
    });
  }
  return out;
}

/**
 * "SELECT … WHERE …" with the time PostgreSQL spent executing it, then its scan nodes, for
 * each FerretDB statement in the log.
 */
function planNodes(log: string): string[] {
  const lines: string[] = [];
  for (const entry of log.split(/\n(?=\S)/)) {
    const query = /Query Text: (.*)/.exec(entry)?.[1];
    if (!query || !/^(SELECT|UPDATE|INSERT|DELETE)/.test(query.trim())) continue;
    const duration = /duration: ([\d.]+) ms/.exec(entry)?.[1] ?? '?';
    const text = query
      .replace(/\s+/g, ' ')
      .replace(/"bench"\./g, '')
      .slice(0, 100);
    lines.push(`  [${duration} ms in PostgreSQL] ${text}`);
    for (const node of entry.matchAll(
      /(?:Seq Scan|Bitmap Index Scan|Index Only Scan|Index Scan)(?: using \S+)? on \S+|BitmapAnd/g,
    )) {
      lines.push(`      ${node[0]}`);
    }
  }
  return lines;
}
