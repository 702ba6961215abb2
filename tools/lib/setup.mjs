// Shared steps of `npm start` and `npm test`. Node built-ins only: this runs
// before dependencies are installed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const step = (msg) => console.log(`\n▶ ${msg}`);

/** Reads `.env` (KEY=VALUE lines) if present; real environment variables win. */
export function loadDotEnv() {
  const file = path.join(ROOT, '.env');
  if (!existsSync(file)) return {};
  const values = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = line.match(/^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/);
    if (m && m[2] !== '' && process.env[m[1]] === undefined)
      values[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return values;
}

/** Runs a command with inherited output; throws with its name when it fails. */
export function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts });
  if (res.status !== 0) {
    throw new Error(`${[cmd, ...args].join(' ')} failed (exit ${res.status ?? res.signal})`);
  }
}

/** Installs dependencies when node_modules is missing or older than the lockfile. */
export function ensureDependencies() {
  const marker = path.join(ROOT, 'node_modules', '.package-lock.json');
  const lock = path.join(ROOT, 'package-lock.json');
  const stale =
    !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
  if (!stale) return;
  step('Installing dependencies (npm ci)');
  run(
    'npm',
    existsSync(lock) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'],
  );
}

export function build() {
  step('Building every workspace (turbo run build)');
  run('npx', ['turbo', 'run', 'build', '--output-logs=errors-only']);
}

/** Brings the stack up; `startedHere` says whether anything was down before (so ours to stop). */
export async function stackUp() {
  step('Starting the local stack (MongoDB-compatible DB, Redis, RabbitMQ)');
  const { stackUp: up, stackStatus } = await import('../stack/lib.mjs');
  const before = await stackStatus().catch(() => []);
  const startedHere = before.length === 0 || before.some((part) => !part.up);
  return { env: await up(), startedHere };
}

/** Spawns a long-running service, prefixing each output line with its name. */
export function startService(name, args, env) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prefixLines(child.stdout, process.stdout, name);
  prefixLines(child.stderr, process.stderr, name);
  return child;
}

/** Copies a child's output line by line, each line prefixed with `name` (readable interleaving). */
export function prefixLines(stream, out, name) {
  let buf = '';
  stream.on('data', (chunk) => {
    buf += chunk;
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const line of lines) out.write(`${name.padEnd(12)}│ ${line}\n`);
  });
}

/** Polls a URL until it answers 200, or the process dies, or time runs out. */
export async function waitReady(url, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`process exited (code ${child.exitCode}) before ${url} was ready`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready after ${timeoutMs / 1000} s`);
}

/** SIGTERM, then SIGKILL if it doesn't exit in time. */
export function stopProcess(child, timeoutMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Debian's nginx for `npm run cluster` and the cluster tests; installed with apt as root. */
export async function ensureNginx() {
  if (spawnSync('nginx', ['-v']).status === 0 || existsSync('/usr/sbin/nginx')) return;
  step('Installing nginx (Debian package)');
  const { aptInstall } = await import('../stack/packages.mjs');
  await aptInstall(['nginx']);
}
