/** Direct access to the benchmark's private PostgreSQL (psql), to change server settings. */
import { execFileSync } from 'node:child_process';

export interface PgAccess {
  /** psql command line (binary and connection arguments). */
  psql: string[];
  /** The server log file. */
  log: string;
}

/** From BENCH_PSQL / BENCH_PG_LOG, set by the launcher; null when run without them. */
export function pgAccess(): PgAccess | null {
  const psql = process.env.BENCH_PSQL;
  const log = process.env.BENCH_PG_LOG;
  return psql && log ? { psql: JSON.parse(psql) as string[], log } : null;
}

function psql(pg: PgAccess, sql: string) {
  execFileSync(pg.psql[0]!, [...pg.psql.slice(1), '-Atqc', sql], { stdio: 'pipe' });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Sets (value) or resets (null) server settings with ALTER SYSTEM and reloads; every
 * session, FerretDB's pooled ones included, applies them from its next statement.
 */
export async function setServer(pg: PgAccess, settings: Record<string, string | null>) {
  for (const [name, value] of Object.entries(settings)) {
    psql(
      pg,
      value === null ? `ALTER SYSTEM RESET ${name}` : `ALTER SYSTEM SET ${name} = '${value}'`,
    );
  }
  psql(pg, 'SELECT pg_reload_conf()');
  await sleep(500);
}
