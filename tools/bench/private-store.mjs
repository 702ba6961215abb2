// A throwaway FerretDB + PostgreSQL pair for the store benchmark: own ports, own data
// directory, the stack's settings (pg-config.mjs) plus overrides. Never the shared servers.
import fs from 'node:fs';
import path from 'node:path';
import {
  FERRET_BIN,
  asPostgres,
  buildFerret,
  chownToPostgres,
  initCluster,
  pgBinDir,
  writePgConf,
} from '../stack/local.mjs';
import { pgSettings } from '../stack/pg-config.mjs';
import { StackError, portOpen, run, runOk, spawnDaemon, stopPid, waitFor } from '../stack/util.mjs';

const HOST = '127.0.0.1';

/**
 * Starts a fresh pair in `dir` (deleted first). `companions` switches FerretDB's companion
 * GIN indexes; `overrides` are extra postgresql.conf settings. auto_explain is preloaded
 * (off until a session turns it on) so the benchmark can show the plans it got.
 */
export async function startPrivateStore({
  dir,
  pgPort,
  mongoPort,
  synchronousCommit,
  companions = true,
  overrides = {},
}) {
  for (const port of [pgPort, mongoPort])
    if (await portOpen(port))
      throw new StackError(`port ${port} is in use: pick other benchmark ports (--pg-port/--port)`);
  await buildFerret();
  const bin = pgBinDir();
  if (!bin) throw new StackError('PostgreSQL is not installed: run `npm run stack -- up` once');

  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  chownToPostgres(dir);
  const pgDir = path.join(dir, 'pg');
  await initCluster(bin, pgDir);
  const settings = pgSettings({
    host: HOST,
    port: pgPort,
    synchronousCommit,
    overrides: {
      shared_preload_libraries: "'auto_explain'",
      'auto_explain.log_min_duration': -1,
      ...overrides,
    },
  });
  writePgConf(pgDir, settings);
  const pgLog = path.join(dir, 'postgresql.log');
  fs.writeFileSync(pgLog, '');
  chownToPostgres(pgLog);
  const pgCtl = (args) => asPostgres(path.join(bin, 'pg_ctl'), ['-D', pgDir, ...args]);
  await runOk('pg_ctl start', ...pgCtl(['-l', pgLog, '-w', '-t', '60', 'start']));
  const psql = [path.join(bin, 'psql'), '-h', HOST, '-p', String(pgPort), '-U', 'postgres'];
  await runOk('createdb', path.join(bin, 'createdb'), [...psql.slice(1), 'ferretdb']);

  const ferretLog = path.join(dir, 'ferretdb.log');
  const { pid } = spawnDaemon(
    FERRET_BIN,
    [
      '-listen-addr',
      `${HOST}:${mongoPort}`,
      '-postgresql-url',
      `postgres://postgres@${HOST}:${pgPort}/ferretdb`,
      `-companion-indexes=${companions}`,
      '-log-level',
      'warn',
    ],
    { env: { ...process.env, DO_NOT_TRACK: '1' }, cwd: dir, logFile: ferretLog },
  );
  /** Stops both servers; deletes the data unless `keep` (to read the logs). */
  const stop = async ({ keep = false } = {}) => {
    await stopPid(pid, { name: 'ferretdb' });
    await run(...pgCtl(['-m', 'fast', '-w', 'stop']));
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  };
  if (!(await waitFor(() => portOpen(mongoPort), { timeoutMs: 30_000 }))) {
    await stop({ keep: true });
    throw new StackError(`the benchmark's FerretDB did not open port ${mongoPort}`, [ferretLog]);
  }
  return {
    mongoUrl: `mongodb://${HOST}:${mongoPort}`,
    psql: [...psql, 'ferretdb'],
    pgLog,
    stop,
  };
}
