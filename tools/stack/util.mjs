// Small helpers shared by the stack scripts (Node built-ins only).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Data, logs and pid files: `.stack` unless STACK_DIR names another (a private stack, e.g. chaos). */
export const DATA = path.resolve(ROOT, process.env.STACK_DIR || '.stack');
export const LOGS = path.join(DATA, 'logs');
/** DATA as shown in messages (relative to the repository when inside it). */
export const DATA_SHOWN = path.relative(ROOT, DATA).startsWith('..')
  ? DATA
  : path.relative(ROOT, DATA);

/**
 * Added to every server port (STACK_PORT_OFFSET), so a private stack runs beside the default
 * one without touching it: 1000 → Redis 7379, RabbitMQ 6672, MongoDB 28017, PostgreSQL 55329.
 */
export const PORT_OFFSET = parsePortOffset(process.env.STACK_PORT_OFFSET);

function parsePortOffset(raw) {
  if (raw === undefined || raw === '') return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 10_000)
    throw new Error(`STACK_PORT_OFFSET must be an integer from 0 to 10000, got "${raw}"`);
  return n;
}

/** An expected failure: printed as one line (plus an optional log tail), no stack trace. */
export class StackError extends Error {
  constructor(message, logFiles = []) {
    super(message);
    this.logFiles = logFiles;
  }
}

let quiet = false;
export const setQuiet = (q) => (quiet = Boolean(q));
export const log = (msg) => quiet || console.log(`[stack] ${msg}`);

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const isRoot = () => process.getuid?.() === 0;

export function mkdirp(dir) {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Finds an executable on PATH (plus optional extra candidates), or null. */
export function which(cmd, extra = []) {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const candidates = [...dirs.map((d) => path.join(d, cmd)), ...extra];
  return candidates.find((p) => isExecutable(p)) ?? null;
}

function isExecutable(p) {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Runs a command to completion; resolves {code, out} (stdout+stderr), never rejects on exit code. */
export function run(cmd, args = [], { env, cwd, timeoutMs = 120_000, input } = {}) {
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(cmd, args, {
      env: env ?? process.env,
      cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: -1, out: `${out}${err.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), out });
    });
    child.stdin.end(input ?? '');
  });
}

/** Like run() but throws a StackError with the command output when it fails. */
export async function runOk(what, cmd, args, opts) {
  const res = await run(cmd, args, opts);
  if (res.code !== 0) {
    const last = res.out.trim().split('\n').slice(-20).join('\n');
    throw new StackError(`${what} failed (exit ${res.code}): ${cmd} ${args.join(' ')}\n${last}`);
  }
  return res.out;
}

/** Starts a long-running server detached from us, stdout/stderr appended to logFile. */
export function spawnDaemon(cmd, args, { env, cwd, logFile }) {
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, { env, cwd, detached: true, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  child.unref();
  const exited = { code: null };
  child.on('exit', (code, signal) => (exited.code = code ?? signal));
  child.on('error', (err) => (exited.code = err.message));
  return { pid: child.pid, exited };
}

/** True if something accepts TCP connections on host:port. */
export function portOpen(port, host = '127.0.0.1', timeoutMs = 700) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    const done = (ok) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/**
 * Polls check() until it returns truthy or timeoutMs passes. fail() may throw to abort early
 * (e.g. the server process died). progress(sec) is called every progressEvery ms.
 */
export async function waitFor(
  check,
  { timeoutMs, intervalMs = 250, fail, progress, progressEvery = 10_000 },
) {
  const start = Date.now();
  let nextProgress = start + progressEvery;
  for (;;) {
    const res = await check();
    if (res) return res;
    fail?.();
    if (Date.now() - start > timeoutMs) return false;
    if (progress && Date.now() >= nextProgress) {
      progress(Math.round((Date.now() - start) / 1000));
      nextProgress += progressEvery;
    }
    await sleep(intervalMs);
  }
}

export function readPid(file) {
  try {
    const pid = parseInt(fs.readFileSync(file, 'utf8').split('\n')[0], 10);
    return pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** True if pid is alive and (on Linux) its command line mentions `name` — guards against pid reuse. */
export function pidAlive(pid, name) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (err.code !== 'EPERM') return false;
  }
  try {
    // Zombies (exited, not yet reaped) still answer kill(0); their cmdline is empty.
    if (fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z')) return false;
    return !name || fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(name);
  } catch {
    return !fs.existsSync('/proc/self'); // no procfs: trust kill(0)
  }
}

/** Sends a signal (if given) and waits for the process to exit; SIGKILL after timeoutMs. */
export async function stopPid(pid, { name, signal = 'SIGTERM', timeoutMs = 20_000 } = {}) {
  if (!pidAlive(pid, name)) return;
  if (signal) process.kill(pid, signal);
  const gone = await waitFor(() => !pidAlive(pid, name), { timeoutMs });
  if (!gone) {
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !pidAlive(pid, name), { timeoutMs: 5000 });
  }
}

/** Pids of every descendant of `pid` (Linux /proc; [] elsewhere). */
export function descendantPids(pid) {
  const parentOf = new Map();
  for (const entry of safeReaddir('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      // Field 4 of /proc/<pid>/stat, after the parenthesised command name.
      const ppid = Number(
        fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ')[1],
      );
      parentOf.set(Number(entry), ppid);
    } catch {
      // exited meanwhile
    }
  }
  const out = [];
  const walk = (parent) => {
    for (const [child, ppid] of parentOf) {
      if (ppid !== parent) continue;
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}

/** A crash: SIGKILL to `pid` and everything it started, then waits until it is gone. */
export async function killTree(pid, name) {
  if (!pidAlive(pid, name)) return;
  const children = descendantPids(pid);
  for (const p of [pid, ...children]) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await waitFor(() => !pidAlive(pid, name), { timeoutMs: 10_000 });
}

/** Last n lines of a log file ('' if missing). */
export function tail(file, n = 20) {
  try {
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    return lines.slice(-n).join('\n');
  } catch {
    return '';
  }
}

/** Best effort "who listens on this TCP port" via /proc (Linux only): "name (pid N)" or null. */
export function listenerOf(port) {
  const inodes = new Set();
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A') continue; // 0A = LISTEN
      if (parseInt(cols[1].split(':')[1], 16) === port) inodes.add(cols[9]);
    }
  }
  if (!inodes.size) return null;
  for (const pid of safeReaddir('/proc').filter((d) => /^\d+$/.test(d))) {
    for (const fd of safeReaddir(`/proc/${pid}/fd`)) {
      let target = '';
      try {
        target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && inodes.has(m[1])) {
        const comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        return `${comm} (pid ${pid})`;
      }
    }
  }
  return 'an unknown process';
}

function safeReaddir(dir) {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** uid/gid of an OS user from /etc/passwd, or null. */
export function userIds(name) {
  try {
    const line = fs
      .readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${name}:`));
    if (!line) return null;
    const [, , uid, gid] = line.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return null;
  }
}

/** Host and port of the first host in a mongodb/redis/amqp URL (handles mongodb multi-host lists). */
export function hostPort(url, defaultPort) {
  const rest = url.replace(/^[a-z+]+:\/\//i, '');
  const authority = rest.split(/[/?#]/)[0].split('@').pop();
  const first = authority.split(',')[0];
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(first) ?? /^([^:]*)(?::(\d+))?$/.exec(first);
  return { host: m?.[1] || '127.0.0.1', port: m?.[2] ? Number(m[2]) : defaultPort };
}
