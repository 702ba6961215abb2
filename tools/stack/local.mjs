// Local (non-docker) servers, all state under .stack/ (or STACK_DIR): mongod or FerretDB+PostgreSQL, Redis, RabbitMQ.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { clearInterval, setInterval } from 'node:timers';
import {
  DATA,
  DATA_SHOWN,
  LOGS,
  PORT_OFFSET,
  ROOT,
  StackError,
  isRoot,
  killTree,
  listenerOf,
  log,
  mkdirp,
  pidAlive,
  portOpen,
  readPid,
  run,
  runOk,
  spawnDaemon,
  stopPid,
  userIds,
  waitFor,
  which,
} from './util.mjs';
import { INCLUDE_LINE, STACK_CONF, pgSettings, synchronousCommit } from './pg-config.mjs';

export const PORTS = {
  mongo: 27017 + PORT_OFFSET,
  redis: 6379 + PORT_OFFSET,
  rabbitmq: 5672 + PORT_OFFSET,
  postgres: 54329 + PORT_OFFSET,
};
const HOST = '127.0.0.1';

/** Refuses to start when a process we did not start already listens on the port. */
async function ensurePortFree(port, part, hint) {
  if (!(await portOpen(port))) return;
  const who = listenerOf(port) ?? 'another process';
  throw new StackError(
    `port ${port} (${part}) is already in use by ${who}, which this stack did not start. ${hint}`,
  );
}

/** Waits for our freshly started server's port; on timeout/death fails with the log tail. */
async function awaitPort(port, part, { timeoutMs, logFiles: all, since, exited, progress }) {
  // Only logs written since this start attempt: older ones would point at an unrelated past failure.
  const fresh = () => all.filter((f) => fs.existsSync(f) && fs.statSync(f).mtimeMs >= since);
  const ok = await waitFor(() => portOpen(port), {
    timeoutMs,
    progress,
    fail: () => {
      if (exited && exited.code !== null) {
        throw new StackError(
          `${part} exited during startup${exited.code ? ` (exit ${exited.code})` : ''}`,
          fresh(),
        );
      }
    },
  });
  if (!ok)
    throw new StackError(`${part} did not open port ${port} within ${timeoutMs / 1000}s`, fresh());
}

// ---------------------------------------------------------------- PostgreSQL (for FerretDB)
const PG_DIR = path.join(DATA, 'pg');
const PG_LOG = path.join(LOGS, 'postgresql.log');
export const PG_URL = `postgres://postgres@${HOST}:${PORTS.postgres}/ferretdb`;
/**
 * FerretDB's own default is 50. Its metadata registry takes a write lock and then waits for a
 * pool connection, while requests holding connections (open cursors among them) wait for that
 * lock: with many test systems creating databases at once, 50 ran out and FerretDB froze for
 * good. PostgreSQL's max_connections (pg-config.mjs) leaves room above this.
 */
const FERRET_POOL_MAX_CONNS = 200;

/** Debian layout /usr/lib/postgresql/<ver>/bin; prefers the version that created <data>/pg. */
export function pgBinDir() {
  const base = '/usr/lib/postgresql';
  const versions = (fs.existsSync(base) ? fs.readdirSync(base) : [])
    .filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  const existing = safeRead(path.join(PG_DIR, 'PG_VERSION')).trim();
  if (existing && versions.length && !versions.includes(existing)) {
    throw new StackError(
      `${DATA_SHOWN}/pg was created by PostgreSQL ${existing}, which is not installed; delete ${DATA_SHOWN}/pg or install postgresql-${existing}`,
    );
  }
  if (versions.length) return path.join(base, existing || versions[0], 'bin');
  const pgCtl = which('pg_ctl');
  return pgCtl && which('initdb') ? path.dirname(pgCtl) : null;
}

/** initdb/pg_ctl refuse to run as root, so as root we drop to the postgres OS user. */
export function asPostgres(cmd, args) {
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

export function chownToPostgres(p) {
  const ids = isRoot() && userIds('postgres');
  if (ids) fs.chownSync(p, ids.uid, ids.gid);
}

const pgPid = () => {
  const pid = readPid(path.join(PG_DIR, 'postmaster.pid'));
  return pidAlive(pid, 'postgres') ? pid : null;
};

/** initdb of a cluster in `dir` owned by the postgres OS user: trust auth, UTF8, C locale. */
export async function initCluster(bin, dir) {
  mkdirp(dir);
  chownToPostgres(dir);
  fs.chmodSync(dir, 0o700);
  await runOk(
    'initdb',
    ...asPostgres(path.join(bin, 'initdb'), [
      '-D',
      dir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C',
    ]),
  );
}

async function initPostgres(bin) {
  log('initialising private PostgreSQL cluster in .stack/pg ...');
  await initCluster(bin, PG_DIR);
}

/**
 * Writes the cluster's settings (pg-config.mjs) and makes postgresql.conf include them
 * (clusters made before stack.conf existed get the include appended). True if changed.
 */
export function writePgConf(dir, settings) {
  const main = path.join(dir, 'postgresql.conf');
  if (!safeRead(main).includes(INCLUDE_LINE))
    fs.appendFileSync(main, `\n# added by tools/stack: settings that win\n${INCLUDE_LINE}\n`);
  const file = path.join(dir, STACK_CONF);
  if (safeRead(file) === settings) return false;
  fs.writeFileSync(file, settings);
  chownToPostgres(file);
  return true;
}

const stackPgSettings = () =>
  pgSettings({ host: HOST, port: PORTS.postgres, synchronousCommit: synchronousCommit() });

async function startPostgres() {
  const bin = pgBinDir();
  if (pgPid()) {
    // synchronous_commit and fsync apply on reload: an env change needs no restart.
    if (writePgConf(PG_DIR, stackPgSettings()))
      await runOk(
        'pg_ctl reload',
        ...asPostgres(path.join(bin, 'pg_ctl'), ['-D', PG_DIR, 'reload']),
      );
    return;
  }
  await ensurePortFree(PORTS.postgres, 'postgresql for ferretdb', 'Stop it or free the port.');
  if (!fs.existsSync(path.join(PG_DIR, 'PG_VERSION'))) await initPostgres(bin);
  writePgConf(PG_DIR, stackPgSettings());
  if (!fs.existsSync(PG_LOG)) fs.writeFileSync(PG_LOG, '');
  chownToPostgres(PG_LOG);
  log(`starting postgresql on ${HOST}:${PORTS.postgres} ...`);
  const res = await run(
    ...asPostgres(path.join(bin, 'pg_ctl'), [
      '-D',
      PG_DIR,
      '-l',
      PG_LOG,
      '-w',
      '-t',
      '60',
      'start',
    ]),
  );
  if (res.code !== 0)
    throw new StackError(`postgresql failed to start: ${res.out.trim().split('\n').pop()}`, [
      PG_LOG,
    ]);
  // Database for FerretDB; "already exists" is fine on later starts.
  const db = await run(path.join(bin, 'createdb'), [
    '-h',
    HOST,
    '-p',
    String(PORTS.postgres),
    '-U',
    'postgres',
    'ferretdb',
  ]);
  if (db.code !== 0 && !db.out.includes('already exists'))
    throw new StackError(`createdb ferretdb failed: ${db.out.trim()}`);
}

async function stopPostgres() {
  const pid = pgPid();
  if (!pid) return;
  const bin = pgBinDir();
  await run(...asPostgres(path.join(bin, 'pg_ctl'), ['-D', PG_DIR, '-m', 'fast', '-w', 'stop']));
  await stopPid(pid, { name: 'postgres', signal: null });
}

// ---------------------------------------------------------------- FerretDB
const FERRET_SRC = path.join(ROOT, 'tools', 'ferretdb');
export const FERRET_BIN = path.join(DATA, 'bin', 'ferretdb');
const FERRET_PID = path.join(DATA, 'ferretdb.pid');
const FERRET_LOG = path.join(LOGS, 'ferretdb.log');
const FERRET_BUILD_LOG = path.join(LOGS, 'ferretdb-build.log');

const mtime = (p) => (fs.existsSync(p) ? fs.statSync(p).mtimeMs : 0);
const ferretPid = () => {
  const pid = readPid(FERRET_PID);
  return pidAlive(pid, 'ferretdb') ? pid : null;
};

export const goBinary = () => which('go', ['/usr/local/go/bin/go']);

// Our copies of FerretDB's own files, compiled in place of upstream's:
// <file in tools/ferretdb/overlay> → its path inside the FerretDB module.
const FERRET_MODULE = 'github.com/FerretDB/FerretDB';
const FERRET_OVERLAY_DIR = path.join(FERRET_SRC, 'overlay');
const FERRET_OVERLAYS = {
  'query.go.overlay': 'internal/backends/postgresql/query.go',
  'collection.go.overlay': 'internal/backends/postgresql/collection.go',
  'resource.go.overlay': 'internal/util/resource/resource.go',
  // A $set of existing top-level fields by _id as one UPDATE (handler-fieldsetter.go.overlay).
  'msg_update.go.overlay': 'internal/handler/msg_update.go',
  'handler-fieldsetter.go.overlay': 'internal/handler/fieldsetter.go',
  'sjson-elem.go.overlay': 'internal/handler/sjson/elem.go',
  'backends-fieldsetter.go.overlay': 'internal/backends/fieldsetter.go',
  'oplog-fieldsetter.go.overlay': 'internal/backends/decorators/oplog/fieldsetter.go',
  'postgresql-fieldsetter.go.overlay': 'internal/backends/postgresql/fieldsetter.go',
};

/** The files of our FerretDB main (tools/ferretdb, without tests or the overlay folder). */
const ferretMainFiles = () =>
  fs
    .readdirSync(FERRET_SRC)
    .filter((f) => /\.(go|sql|mod|sum)$/.test(f) && !f.endsWith('_test.go'));

/** Builds <data>/bin/ferretdb when missing or older than its sources. */
export async function buildFerret() {
  const sources = [
    ...ferretMainFiles().map((f) => path.join(FERRET_SRC, f)),
    ...Object.keys(FERRET_OVERLAYS).map((f) => path.join(FERRET_OVERLAY_DIR, f)),
  ];
  const newestSrc = Math.max(...sources.map(mtime));
  if (mtime(FERRET_BIN) >= newestSrc) return;
  const go = goBinary();
  if (!go)
    throw new StackError(
      'Go (>= 1.24) is needed to build FerretDB: not on PATH nor /usr/local/go/bin/go. Install Go, install mongod, or set MONGO_URL.',
    );
  mkdirp(path.dirname(FERRET_BIN));
  mkdirp(LOGS);
  log('building FerretDB with go build (about a minute the first time) ...');
  const started = Date.now();
  const ticker = setInterval(
    () => log(`  still building FerretDB (${Math.round((Date.now() - started) / 1000)}s) ...`),
    15_000,
  );
  const res = await buildWithOverlay(go);
  clearInterval(ticker);
  fs.writeFileSync(FERRET_BUILD_LOG, res.out);
  if (res.code !== 0) throw new StackError('building FerretDB failed', [FERRET_BUILD_LOG]);
  log(`built FerretDB in ${Math.round((Date.now() - started) / 1000)}s`);
}

/**
 * Builds from a copy of tools/ferretdb with its dependencies vendored and our copies of
 * FerretDB's files put in place of theirs (Go refuses `-overlay` inside its module cache).
 */
async function buildWithOverlay(go) {
  const dir = path.join(DATA, 'ferretdb-build');
  fs.rmSync(dir, { recursive: true, force: true });
  mkdirp(dir);
  for (const f of ferretMainFiles()) fs.copyFileSync(path.join(FERRET_SRC, f), path.join(dir, f));
  const opts = { cwd: dir, timeoutMs: 15 * 60_000 };
  const vendored = await run(go, ['mod', 'vendor'], opts);
  if (vendored.code !== 0) return vendored;
  for (const [ours, theirs] of Object.entries(FERRET_OVERLAYS))
    fs.copyFileSync(
      path.join(FERRET_OVERLAY_DIR, ours),
      path.join(dir, 'vendor', FERRET_MODULE, theirs),
    );
  const build = ['build', '-buildvcs=false', '-mod=vendor', '-o', FERRET_BIN, '.'];
  const res = await run(go, build, opts);
  return { code: res.code, out: `${vendored.out}\n${res.out}` };
}

async function startFerret() {
  if (ferretPid()) return;
  await ensurePortFree(
    PORTS.mongo,
    'mongo',
    `Stop it, or set MONGO_URL=mongodb://${HOST}:${PORTS.mongo} to use it as-is.`,
  );
  log(`starting ferretdb on ${HOST}:${PORTS.mongo} ...`);
  const since = Date.now();
  const { pid, exited } = spawnDaemon(
    FERRET_BIN,
    [
      '-listen-addr',
      `${HOST}:${PORTS.mongo}`,
      '-postgresql-url',
      `${PG_URL}?pool_max_conns=${FERRET_POOL_MAX_CONNS}`,
      '-log-level',
      'warn',
      // Go's profiler for `go tool pprof` (docs/performance.md); off unless asked for.
      ...(process.env.STACK_FERRETDB_DEBUG_ADDR
        ? ['-debug-addr', process.env.STACK_FERRETDB_DEBUG_ADDR]
        : []),
    ],
    {
      // Go collects garbage each time the heap doubles by default: a quarter of FerretDB's CPU
      // under chat traffic. At GOGC=400 collections cost a third of that for ≈ 8 MiB more RSS.
      // With one P, Go stops waking a second thread to steal each request's goroutines: 40 %
      // fewer context switches and 10–15 % less CPU at 250–1,000 msg/s (docs/performance.md).
      env: {
        ...process.env,
        DO_NOT_TRACK: '1',
        GOGC: process.env.STACK_FERRETDB_GOGC ?? '400',
        GOMAXPROCS: process.env.STACK_FERRETDB_GOMAXPROCS ?? '1',
      },
      cwd: DATA,
      logFile: FERRET_LOG,
    },
  );
  fs.writeFileSync(FERRET_PID, `${pid}\n`);
  await awaitPort(PORTS.mongo, 'ferretdb', {
    timeoutMs: 30_000,
    logFiles: [FERRET_LOG],
    since,
    exited,
  });
}

// ---------------------------------------------------------------- mongod (preferred when installed)
const MONGO_DIR = path.join(DATA, 'mongo');
const MONGO_PID = path.join(MONGO_DIR, 'mongod.pid');
const MONGO_LOG = path.join(LOGS, 'mongod.log');
const mongodPid = () => {
  const pid = readPid(MONGO_PID);
  return pidAlive(pid, 'mongod') ? pid : null;
};

async function startMongod() {
  if (mongodPid()) return;
  await ensurePortFree(
    PORTS.mongo,
    'mongo',
    `Stop it, or set MONGO_URL=mongodb://${HOST}:${PORTS.mongo} to use it as-is.`,
  );
  mkdirp(MONGO_DIR);
  log(`starting mongod on ${HOST}:${PORTS.mongo} ...`);
  const since = Date.now();
  const res = await run(which('mongod'), [
    '--dbpath',
    MONGO_DIR,
    '--bind_ip',
    HOST,
    '--port',
    String(PORTS.mongo),
    '--fork',
    '--logpath',
    MONGO_LOG,
    '--logappend',
    '--pidfilepath',
    MONGO_PID,
  ]);
  if (res.code !== 0) throw new StackError('mongod failed to start', [MONGO_LOG]);
  await awaitPort(PORTS.mongo, 'mongod', { timeoutMs: 30_000, logFiles: [MONGO_LOG], since });
}

export const mongo = {
  /** Which local flavour `up` would use. */
  kind: () => (which('mongod') ? 'mongod' : 'ferretdb+postgresql'),
  async up(kind) {
    if (kind === 'mongod') return void (await startMongod());
    if (!ferretPid()) await Promise.all([buildFerret(), startPostgres()]);
    await startPostgres(); // no-op if running; restarts it if only FerretDB survived
    await startFerret();
  },
  async down(kind) {
    if (kind === 'mongod') return stopPid(mongodPid(), { name: 'mongod' });
    await stopPid(ferretPid(), { name: 'ferretdb' });
    await stopPostgres();
  },
  pids: (kind) =>
    kind === 'mongod' ? { mongod: mongodPid() } : { ferretdb: ferretPid(), postgres: pgPid() },
  ours: (kind) => (kind === 'mongod' ? Boolean(mongodPid()) : Boolean(ferretPid() && pgPid())),
};

// ---------------------------------------------------------------- Redis
const REDIS_DIR = path.join(DATA, 'redis');
const REDIS_PID = path.join(REDIS_DIR, 'redis.pid');
const REDIS_LOG = path.join(LOGS, 'redis.log');
const redisPid = () => {
  const pid = readPid(REDIS_PID);
  return pidAlive(pid, 'redis-server') ? pid : null;
};

export const redis = {
  kind: () => 'redis-server',
  async up() {
    if (redisPid()) return;
    await ensurePortFree(
      PORTS.redis,
      'redis',
      `Stop it (e.g. \`redis-cli -p ${PORTS.redis} shutdown\` or \`service redis-server stop\`), or set REDIS_URL=redis://${HOST}:${PORTS.redis} to use it.`,
    );
    mkdirp(REDIS_DIR);
    log(`starting redis-server on ${HOST}:${PORTS.redis} ...`);
    const since = Date.now();
    const res = await run(which('redis-server'), [
      '--daemonize',
      'yes',
      '--bind',
      HOST,
      '--port',
      String(PORTS.redis),
      '--dir',
      REDIS_DIR,
      '--pidfile',
      REDIS_PID,
      '--logfile',
      REDIS_LOG,
      // The event log lives here: with snapshots alone a crash lost minutes of it. AOF fsynced
      // every second loses at most about the last second (README "Redis in production").
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
    ]);
    if (res.code !== 0)
      throw new StackError(`redis-server failed to start: ${res.out.trim()}`, [REDIS_LOG]);
    await awaitPort(PORTS.redis, 'redis-server', {
      timeoutMs: 15_000,
      logFiles: [REDIS_LOG],
      since,
    });
  },
  down: () => stopPid(redisPid(), { name: 'redis-server' }), // SIGTERM = graceful shutdown (saves RDB)
  pids: () => ({ 'redis-server': redisPid() }),
  ours: () => Boolean(redisPid()),
};

// ---------------------------------------------------------------- RabbitMQ
const RMQ_DIR = path.join(DATA, 'rabbitmq');
const RMQ_PID = path.join(RMQ_DIR, 'rabbitmq.pid');
const RMQ_LOG = path.join(LOGS, 'rabbitmq.log');
const RMQ_CONSOLE_LOG = path.join(LOGS, 'rabbitmq-console.log');
/** A private stack (port offset) gets its own node name and its own epmd. */
export const RMQ_NODE = PORT_OFFSET ? `chat${PORT_OFFSET}@localhost` : 'chat@localhost';
const EPMD_PORT = PORT_OFFSET ? 4369 + PORT_OFFSET : null;

/** Bypass Debian's /usr/sbin wrappers: they `su rabbitmq` and cd to /var/lib/rabbitmq. */
export function rabbitBinDir() {
  const debian = '/usr/lib/rabbitmq/bin';
  if (fs.existsSync(path.join(debian, 'rabbitmq-server'))) return debian;
  const found = which('rabbitmq-server');
  return found ? path.dirname(fs.realpathSync(found)) : null;
}

/** Env shared by the server and rabbitmqctl: everything (incl. Erlang cookie via HOME) in <data>/rabbitmq. */
function rabbitEnv() {
  const home = mkdirp(path.join(RMQ_DIR, 'home'));
  const cookie = path.join(home, '.erlang.cookie');
  // Pre-create the cookie so the server and a concurrently started rabbitmqctl never generate different ones.
  if (!fs.existsSync(cookie))
    fs.writeFileSync(cookie, randomBytes(15).toString('hex').toUpperCase(), { mode: 0o400 });
  const file = (name, content) => {
    const p = path.join(RMQ_DIR, name);
    if (!fs.existsSync(p)) fs.writeFileSync(p, content);
    return p;
  };
  return {
    ...process.env,
    HOME: home,
    RABBITMQ_NODENAME: RMQ_NODE,
    RABBITMQ_NODE_IP_ADDRESS: HOST,
    RABBITMQ_NODE_PORT: String(PORTS.rabbitmq),
    // Keep Erlang distribution (AMQP port + 20000) and a freshly started epmd on loopback too.
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    ERL_EPMD_ADDRESS: HOST,
    ...(EPMD_PORT && { ERL_EPMD_PORT: String(EPMD_PORT) }),
    ERL_CRASH_DUMP: path.join(LOGS, 'rabbitmq-erl_crash.dump'),
    RABBITMQ_MNESIA_BASE: mkdirp(path.join(RMQ_DIR, 'mnesia')),
    RABBITMQ_LOG_BASE: LOGS,
    RABBITMQ_LOGS: RMQ_LOG,
    RABBITMQ_PID_FILE: RMQ_PID,
    // Own (empty) config files so /etc/rabbitmq settings and plugins (management) don't leak in.
    RABBITMQ_CONF_ENV_FILE: file('rabbitmq-env.conf', ''),
    RABBITMQ_CONFIG_FILE: file('rabbitmq.conf', '# generated by tools/stack\n'),
    RABBITMQ_ADVANCED_CONFIG_FILE: path.join(RMQ_DIR, 'advanced.config'),
    RABBITMQ_ENABLED_PLUGINS_FILE: file('enabled_plugins', '[].\n'),
  };
}

const rabbitPid = () => {
  const pid = readPid(RMQ_PID);
  return pidAlive(pid, 'beam') ? pid : null;
};

function rabbitmqctl(args, timeoutMs = 90_000) {
  return run(path.join(rabbitBinDir(), 'rabbitmqctl'), ['-n', RMQ_NODE, ...args], {
    env: rabbitEnv(),
    timeoutMs,
  });
}

async function awaitRabbit(exited, since) {
  await awaitPort(PORTS.rabbitmq, 'rabbitmq-server', {
    timeoutMs: 60_000,
    logFiles: [RMQ_CONSOLE_LOG, RMQ_LOG],
    since,
    exited,
    progress: (s) => log(`  waiting for RabbitMQ (${s}s) ...`),
  });
  const res = await rabbitmqctl(['await_startup', '--timeout', '60']);
  if (res.code !== 0)
    throw new StackError(`rabbitmqctl await_startup failed: ${res.out.trim().split('\n').pop()}`, [
      RMQ_LOG,
    ]);
}

export const rabbitmq = {
  kind: () => 'rabbitmq-server',
  async up() {
    if (rabbitPid()) {
      // Node is alive; the app may have been stopped by `rabbitmq stop`.
      if (!(await portOpen(PORTS.rabbitmq))) await rabbitmq.app('start');
      return;
    }
    const hint = `Stop it (e.g. \`service rabbitmq-server stop\` or \`rabbitmqctl stop\`), or set AMQP_URL=amqp://guest:guest@${HOST}:${PORTS.rabbitmq} to use it.`;
    await ensurePortFree(PORTS.rabbitmq, 'rabbitmq', hint);
    await ensurePortFree(PORTS.rabbitmq + 20000, 'rabbitmq erlang distribution', hint);
    log(`starting rabbitmq-server (node ${RMQ_NODE}) on ${HOST}:${PORTS.rabbitmq}, takes ~10s ...`);
    const since = Date.now();
    const { pid, exited } = spawnDaemon(path.join(rabbitBinDir(), 'rabbitmq-server'), [], {
      env: rabbitEnv(),
      cwd: RMQ_DIR,
      logFile: RMQ_CONSOLE_LOG,
    });
    if (!fs.existsSync(RMQ_PID)) fs.writeFileSync(RMQ_PID, `${pid}\n`); // the server rewrites it once booted
    await awaitRabbit(exited, since);
  },
  async down() {
    const pid = rabbitPid();
    if (!pid) return;
    await rabbitmqctl(['shutdown'], 60_000); // blocks until the runtime exits
    await stopPid(pid, { name: 'beam' });
    // A private stack's epmd serves only this node: stop it too.
    if (EPMD_PORT && which('epmd'))
      await run(which('epmd'), ['-port', String(EPMD_PORT), '-kill'], {
        env: { ...process.env, ERL_EPMD_ADDRESS: HOST },
      });
  },
  /** stop_app/start_app: the Erlang node keeps running, only the broker goes away (for failure tests). */
  async app(action) {
    if (!rabbitPid())
      throw new StackError(
        'the local rabbitmq-server is not running; run `npm run stack -- up` first',
      );
    log(`rabbitmqctl ${action}_app ...`);
    const since = Date.now();
    const res = await rabbitmqctl([`${action}_app`]);
    if (res.code !== 0)
      throw new StackError(
        `rabbitmqctl ${action}_app failed: ${res.out.trim().split('\n').pop()}`,
        [RMQ_LOG],
      );
    if (action === 'start') await awaitRabbit(null, since);
  },
  pids: () => ({ 'rabbitmq-server': rabbitPid() }),
  ours: () => Boolean(rabbitPid()),
};

function safeRead(p) {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}

/**
 * The single server processes, for outage tests: `crash` is kill -9 (with whatever the
 * process started), `stop` a clean shutdown. `up` brings either back.
 */
export const serverProcesses = {
  redis: { part: 'redis', crash: () => killTree(redisPid(), 'redis-server'), stop: redis.down },
  rabbitmq: { part: 'rabbitmq', crash: () => killTree(rabbitPid(), 'beam'), stop: rabbitmq.down },
  ferretdb: {
    part: 'mongo',
    kind: 'ferretdb+postgresql',
    crash: () => killTree(ferretPid(), 'ferretdb'),
    stop: () => stopPid(ferretPid(), { name: 'ferretdb' }),
  },
  postgres: {
    part: 'mongo',
    kind: 'ferretdb+postgresql',
    crash: () => killTree(pgPid(), 'postgres'),
    stop: stopPostgres,
  },
  mongod: {
    part: 'mongo',
    kind: 'mongod',
    crash: () => killTree(mongodPid(), 'mongod'),
    stop: () => stopPid(mongodPid(), { name: 'mongod' }),
  },
};
