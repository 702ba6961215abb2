/**
 * Shows the plans PostgreSQL chose for FerretDB's real statements: switches on
 * auto_explain (preloaded by the launcher) for one run of each probe, then reads the
 * plans back from the server log. Proves which query shapes use an index.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';

export interface PgAccess {
  /** psql command line (binary and connection arguments). */
  psql: string[];
  log: string;
}

function psql(pg: PgAccess, sql: string) {
  execFileSync(pg.psql[0]!, [...pg.psql.slice(1), '-Atqc', sql], { stdio: 'pipe' });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `each` probe with plan logging on; returns probe name → its statements' plan nodes. */
export async function explainProbes(
  pg: PgAccess,
  probes: Record<string, () => Promise<unknown>>,
): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  psql(pg, 'ALTER SYSTEM SET auto_explain.log_min_duration = 0');
  psql(pg, 'ALTER SYSTEM SET auto_explain.log_analyze = on');
  psql(pg, 'SELECT pg_reload_conf()');
  await sleep(500);
  try {
    for (const [name, run] of Object.entries(probes)) {
      const from = statSync(pg.log).size;
      await run();
      await sleep(300);
      out[name] = planNodes(readFileSync(pg.log, 'utf8').slice(from));
    }
  } finally {
    psql(pg, 'ALTER SYSTEM RESET auto_explain.log_min_duration');
    psql(pg, 'ALTER SYSTEM RESET auto_explain.log_analyze');
    psql(pg, 'SELECT pg_reload_conf()');
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
