// Public API of the local infrastructure stack (MongoDB-compatible DB, Redis, RabbitMQ).
//   import { stackUp, stackDown, stackStatus, rabbitmq, readStackEnv } from './stack/lib.mjs';
// STACK_DIR and STACK_PORT_OFFSET select a private stack (own data and ports; see README.md).
import fs from 'node:fs';
import path from 'node:path';
import {
  DATA,
  LOGS,
  PORT_OFFSET,
  ROOT,
  StackError,
  hostPort,
  log,
  mkdirp,
  pidAlive,
  readPid,
  portOpen,
  run,
  runOk,
  setQuiet,
  waitFor,
  which,
} from './util.mjs';
import * as local from './local.mjs';
import { aptInstall } from './packages.mjs';

export { StackError } from './util.mjs';

const STATE_FILE = path.join(DATA, 'state.json');
export const ENV_FILE = path.join(DATA, 'env');

/** The three parts, in <data>/env order. `service` is the docker-compose service name. */
const PARTS = {
  mongo: {
    envVar: 'MONGO_URL',
    url: `mongodb://127.0.0.1:${local.PORTS.mongo}`,
    port: local.PORTS.mongo,
    service: 'mongo',
    server: local.mongo,
  },
  redis: {
    envVar: 'REDIS_URL',
    url: `redis://127.0.0.1:${local.PORTS.redis}`,
    port: local.PORTS.redis,
    service: 'redis',
    server: local.redis,
  },
  rabbitmq: {
    envVar: 'AMQP_URL',
    url: `amqp://guest:guest@127.0.0.1:${local.PORTS.rabbitmq}`,
    port: local.PORTS.rabbitmq,
    service: 'rabbitmq',
    server: local.rabbitmq,
  },
};
const DEFAULT_PORTS = { mongodb: 27017, redis: 6379, rediss: 6379, amqp: 5672, amqps: 5671 };

// ---------------------------------------------------------------- state / env files
function readState() {
  try {
    return JSON.parse(fs.readFileSync(STATE_FILE, 'utf8'));
  } catch {
    return { parts: {} };
  }
}

function writeState(state) {
  mkdirp(DATA);
  fs.writeFileSync(
    STATE_FILE,
    `${JSON.stringify({ ...state, updatedAt: new Date().toISOString() }, null, 2)}\n`,
  );
}

function writeEnvFile(urls) {
  fs.writeFileSync(
    ENV_FILE,
    Object.entries(urls)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  );
}

/** URLs from <data>/env as { MONGO_URL, REDIS_URL, AMQP_URL } ({} if the stack was never brought up). */
export function readStackEnv() {
  if (!fs.existsSync(ENV_FILE)) return {};
  const pairs = fs
    .readFileSync(ENV_FILE, 'utf8')
    .split('\n')
    .filter((l) => l.includes('='));
  return Object.fromEntries(
    pairs.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

// ---------------------------------------------------------------- lock
const LOCK_FILE = path.join(DATA, 'lock');

/** Serialises up/down across processes (e.g. `npm start` and `npm test` started together). */
async function withLock(fn) {
  mkdirp(DATA);
  const got = await waitFor(
    () => {
      try {
        fs.writeFileSync(LOCK_FILE, `${process.pid}\n`, { flag: 'wx' });
        return true;
      } catch {
        if (!pidAlive(readPid(LOCK_FILE))) fs.rmSync(LOCK_FILE, { force: true }); // stale
        return false;
      }
    },
    {
      timeoutMs: 5 * 60_000,
      progress: () => log('waiting for another stack command to finish ...'),
    },
  );
  if (!got)
    throw new StackError(`timed out waiting for ${LOCK_FILE} (held by pid ${readPid(LOCK_FILE)})`);
  try {
    return await fn();
  } finally {
    fs.rmSync(LOCK_FILE, { force: true });
  }
}

// ---------------------------------------------------------------- docker
function composeFile() {
  return ['docker-compose.yml', 'docker-compose.yaml', 'compose.yml', 'compose.yaml']
    .map((f) => path.join(ROOT, f))
    .find((f) => fs.existsSync(f));
}

let dockerChecked;
/**
 * Docker is used when a compose file exists and the engine answers; STACK_DOCKER=0 opts out,
 * and a port offset does too (the compose file publishes the default ports).
 */
async function dockerAvailable() {
  dockerChecked ??= (async () => {
    if (process.env.STACK_DOCKER === '0' || PORT_OFFSET || !composeFile() || !which('docker'))
      return false;
    return (await run('docker', ['info'], { timeoutMs: 5000 })).code === 0;
  })();
  return dockerChecked;
}

const compose = (args, timeoutMs = 5 * 60_000) =>
  runOk(`docker compose ${args[0]}`, 'docker', ['compose', ...args], { cwd: ROOT, timeoutMs });

async function waitPorts(parts, timeoutMs = 60_000) {
  for (const name of parts) {
    const ok = await waitFor(() => portOpen(PARTS[name].port), { timeoutMs });
    if (!ok)
      throw new StackError(
        `${name} (docker service ${PARTS[name].service}) did not open port ${PARTS[name].port} within ${timeoutMs / 1000}s; see \`docker compose logs ${PARTS[name].service}\``,
      );
  }
}

// ---------------------------------------------------------------- up
/** Decides env / docker / local per part; a part already running locally stays local (fast warm `up`). */
async function plan(state) {
  const out = {};
  for (const [name, part] of Object.entries(PARTS)) {
    const prev = state.parts[name];
    if (process.env[part.envVar]) out[name] = { source: 'env', url: process.env[part.envVar] };
    else if (prev?.source === 'local' && part.server.ours(prev.kind))
      out[name] = { source: 'local', kind: prev.kind };
    else if (await dockerAvailable()) out[name] = { source: 'docker' };
    else out[name] = { source: 'local', kind: part.server.kind() };
  }
  return out;
}

async function checkEnvUrl(name, url) {
  const scheme = url.split(':')[0].toLowerCase();
  if (scheme === 'mongodb+srv') return; // SRV records: nothing simple to probe
  const { host, port } = hostPort(url, DEFAULT_PORTS[scheme]);
  const ok = await waitFor(() => portOpen(port, host, 2000), { timeoutMs: 5000, intervalMs: 500 });
  if (!ok)
    throw new StackError(
      `${PARTS[name].envVar} is set but ${host}:${port} does not accept TCP connections (${name})`,
    );
}

/** Missing Debian packages for the parts we are about to run locally. */
function missingPackages(localParts) {
  const pkgs = [];
  if (localParts.mongo?.kind === 'ferretdb+postgresql' && !local.pgBinDir())
    pkgs.push('postgresql');
  if (localParts.redis && !which('redis-server')) pkgs.push('redis-server');
  if (localParts.rabbitmq && !local.rabbitBinDir()) pkgs.push('rabbitmq-server');
  return pkgs;
}

async function upLocal(localParts, state) {
  await aptInstall(missingPackages(localParts));
  // Record intent first so `down` can clean up even if a part fails half-way.
  for (const [name, p] of Object.entries(localParts))
    state.parts[name] = { source: 'local', kind: p.kind, url: PARTS[name].url };
  writeState(state);
  const results = await Promise.allSettled(
    Object.entries(localParts).map(async ([name, p]) => {
      await PARTS[name].server.up(p.kind);
      state.parts[name].pids = PARTS[name].server.pids(p.kind);
    }),
  );
  writeState(state);
  const errors = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) {
    // Report every failed part, not just the first one.
    const msg = errors.map((e) => e.message).join('\n[stack] error: ');
    throw new StackError(
      msg,
      errors.flatMap((e) => e.logFiles ?? []),
    );
  }
}

/** Brings everything up (idempotent). Returns the URLs also written to <data>/env. */
export async function stackUp({ quiet = false } = {}) {
  setQuiet(quiet);
  return withLock(up);
}

async function up() {
  mkdirp(LOGS);
  const state = readState();
  const planned = await plan(state);
  const pick = (source) =>
    Object.fromEntries(Object.entries(planned).filter(([, p]) => p.source === source));

  const envParts = pick('env');
  await Promise.all(Object.entries(envParts).map(([name, p]) => checkEnvUrl(name, p.url)));
  for (const [name, p] of Object.entries(envParts)) {
    // Remember a local server from an earlier `up` so `down` still stops it.
    const prev = state.parts[name];
    const leftover = prev?.source === 'local' ? prev.kind : prev?.leftover;
    state.parts[name] = { source: 'env', url: p.url, ...(leftover && { leftover }) };
  }

  const dockerParts = Object.keys(pick('docker'));
  if (dockerParts.length) {
    log(`docker compose up -d ${dockerParts.map((n) => PARTS[n].service).join(' ')} ...`);
    for (const name of dockerParts) state.parts[name] = { source: 'docker', url: PARTS[name].url };
    writeState(state);
    await compose(['up', '-d', ...dockerParts.map((n) => PARTS[n].service)]);
    await waitPorts(dockerParts);
  }

  const localParts = pick('local');
  if (Object.keys(localParts).length) await upLocal(localParts, state);
  writeState(state);

  const urls = Object.fromEntries(
    Object.entries(PARTS).map(([name, part]) => [part.envVar, state.parts[name].url]),
  );
  writeEnvFile(urls);
  log(`up: ${Object.values(urls).join('  ')}`);
  return urls;
}

// ---------------------------------------------------------------- down / status / rabbitmq
/** Stops only what `up` started (local servers, docker services); env-provided servers are left alone. */
export async function stackDown({ quiet = false } = {}) {
  setQuiet(quiet);
  return withLock(down);
}

async function down() {
  const state = readState();
  const entries = Object.entries(state.parts).filter(([name]) => PARTS[name]);
  const dockerServices = entries
    .filter(([, p]) => p.source === 'docker')
    .map(([name]) => PARTS[name].service);
  if (dockerServices.length) {
    log(`docker compose stop ${dockerServices.join(' ')} ...`);
    await compose(['stop', ...dockerServices]);
  }
  await Promise.all(
    entries.map(async ([name, p]) => {
      const kind = p.source === 'local' ? p.kind : p.leftover;
      if (!kind) return;
      log(`stopping ${name} (${kind}) ...`);
      await PARTS[name].server.down(kind);
      if (p.pids) p.pids = {};
      delete p.leftover;
    }),
  );
  writeState(state);
  log('down');
}

/** One row per part: { part, source, url, up } where up means the port accepts TCP connections. */
export async function stackStatus() {
  const state = readState();
  return Promise.all(
    Object.entries(PARTS).map(async ([name, part]) => {
      const p =
        state.parts[name] ??
        (process.env[part.envVar] ? { source: 'env', url: process.env[part.envVar] } : null);
      if (!p) return { part: name, source: '-', url: '-', up: false };
      const scheme = p.url.split(':')[0].toLowerCase();
      const { host, port } = hostPort(p.url, DEFAULT_PORTS[scheme]);
      const source = p.source === 'local' ? `local: ${p.kind}` : p.source;
      return { part: name, source, url: p.url, up: await portOpen(port, host, 1500) };
    }),
  );
}

/** Stops or starts the broker (not its container/VM) to simulate an outage: action is 'stop' | 'start'. */
export async function rabbitmq(action, { quiet = false } = {}) {
  setQuiet(quiet);
  if (action !== 'stop' && action !== 'start')
    throw new StackError(`unknown rabbitmq action "${action}" (use stop or start)`);
  const p = readState().parts.rabbitmq;
  if (p?.source === 'env' || (!p && process.env.AMQP_URL)) {
    throw new StackError(
      'cannot control an external broker (AMQP_URL is set); stop/start it yourself',
    );
  }
  if (!p) throw new StackError('the stack is not up; run `npm run stack -- up` first');
  if (p.source === 'docker') {
    log(`docker compose ${action} rabbitmq ...`);
    await compose([action, PARTS.rabbitmq.service]);
    if (action === 'start') await waitPorts(['rabbitmq']);
  } else {
    await local.rabbitmq.app(action);
  }
  log(`rabbitmq ${action === 'stop' ? 'stopped' : 'started'}`);
}

/**
 * Outage tests on local servers only: `crash` kills one server process with SIGKILL (`postgres`
 * takes its backends along), `stop` shuts it down cleanly. `stackUp()` brings it back.
 * process: redis | rabbitmq | ferretdb | postgres | mongod.
 */
export async function serverFault(action, processName, { quiet = false } = {}) {
  setQuiet(quiet);
  const target = local.serverProcesses[processName];
  if (!target)
    throw new StackError(
      `unknown server "${processName}" (use ${Object.keys(local.serverProcesses).join(', ')})`,
    );
  if (action !== 'crash' && action !== 'stop')
    throw new StackError(`unknown action "${action}" (use crash or stop)`);
  const p = readState().parts[target.part];
  if (p?.source !== 'local' || (target.kind && p.kind !== target.kind))
    throw new StackError(
      `${processName} is not a local server of this stack (${DATA}); only those can be crashed or stopped`,
    );
  log(`${action === 'crash' ? 'kill -9' : 'stopping'} ${processName} ...`);
  await target[action]();
}
