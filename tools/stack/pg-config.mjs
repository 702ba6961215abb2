// PostgreSQL settings of the local FerretDB store, rewritten into <cluster>/stack.conf on
// every `up` (postgresql.conf includes it last, so it wins over anything before it).
import { StackError } from './util.mjs';

export const STACK_CONF = 'stack.conf';
export const INCLUDE_LINE = `include_if_exists = '${STACK_CONF}'`;

// MongoDB's default write concern (w:1, j:false) acknowledges before its journal flush
// (every 100 ms); synchronous_commit = off does the same: a crash loses at most the last
// 3 × wal_writer_delay of acknowledged writes, never corrupts (fsync stays on).
export const WAL_WRITER_DELAY = '30ms';
const SYNC_COMMIT_VALUES = ['on', 'off'];
export const SYNC_COMMIT_DEFAULT = 'off';

/** STACK_PG_SYNCHRONOUS_COMMIT (on | off), validated. */
export function synchronousCommit(env = process.env) {
  const value = (env.STACK_PG_SYNCHRONOUS_COMMIT || SYNC_COMMIT_DEFAULT).toLowerCase();
  if (!SYNC_COMMIT_VALUES.includes(value))
    throw new StackError(
      `STACK_PG_SYNCHRONOUS_COMMIT must be on or off, not "${env.STACK_PG_SYNCHRONOUS_COMMIT}"`,
    );
  return value;
}

/**
 * The contents of stack.conf. `overrides` (name → value) replace or add settings; the
 * store benchmark uses it to compare durability settings and to preload auto_explain.
 */
export function pgSettings({ host, port, synchronousCommit: sync, overrides = {} }) {
  const settings = {
    port,
    listen_addresses: `'${host}'`,
    unix_socket_directories: "''", // TCP only: no /var/run permissions to deal with
    fsync: 'on',
    full_page_writes: 'on',
    synchronous_commit: sync,
    wal_writer_delay: WAL_WRITER_DELAY,
    // Above FerretDB's pool (local.mjs) plus the store benchmark's and psql's own (restart to apply).
    max_connections: 300,
    ...overrides,
  };
  return [
    '# written by tools/stack on every start (tools/stack/pg-config.mjs): edits are overwritten',
    ...Object.entries(settings).map(([k, v]) => `${k} = ${v}`),
    '',
  ].join('\n');
}
