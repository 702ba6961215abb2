// `node tools/e2e.mjs [playwright args…]`: the Playwright suite against an isolated backend.
// Builds, brings the stack up, starts the four workers and one gateway (serving the built
// web app) under a database prefix and bus namespace of their own, runs Playwright with
// BASE_URL pointing at that gateway, then stops everything it started and exits with
// Playwright's code. Node built-ins only (the NGINX config comes from tests/support/nginx.ts,
// loaded with tsx once dependencies are installed).
//
//   E2E_SKIP_BUILD=1         reuse the existing dist/ folders (quick re-runs while iterating)
//   E2E_SHOW_LOGS=1          stream the backend's output instead of keeping it for failures
//   E2E_KEEP_STACK=1         leave the stack running even if this run started it
// A cluster instead of one process per role, as `npm run cluster` runs it:
//   E2E_NGINX=1              Debian's nginx (deploy/nginx.conf's rules) in front of the
//                            gateways serves the app and /trpc; BASE_URL points at it
//   E2E_GATEWAYS=N           N gateways (N > 1 needs E2E_NGINX=1: the browser has one address)
//   E2E_WORKER_REPLICAS=N    N processes of each worker role
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import path from 'node:path';
import {
  ROOT,
  build,
  ensureDependencies,
  ensureNginx,
  stackUp,
  step,
  stopProcess,
  waitReady,
} from './lib/setup.mjs';
import { generateVapidKeys } from './lib/vapid.mjs';

const WORKERS = ['auth', 'user', 'chat', 'notification'];
const KEEP_LINES = 5_000;
const SHOW_ON_FAILURE = 30;
const PLAYWRIGHT_CLI = path.join(ROOT, 'node_modules/@playwright/test/cli.js');
const LOG_DIR = path.join(ROOT, 'apps/web/test-results/backend-logs');

/**
 * A private copy of the built app: a `vite build` elsewhere (it empties apps/web/dist)
 * can't pull the files from under a running suite.
 */
function snapshotWebApp() {
  const source = path.join(ROOT, 'apps/web/dist');
  const index = path.join(source, 'index.html');
  if (!existsSync(index)) throw new Error('apps/web/dist/index.html is missing: build the web app');
  const assets = [...readFileSync(index, 'utf8').matchAll(/(?:src|href)="\/([^"]+)"/g)].map(
    (m) => m[1],
  );
  const missing = assets.filter((a) => !existsSync(path.join(source, a)));
  if (missing.length) throw new Error(`apps/web/dist is incomplete (no ${missing.join(', ')})`);
  const dir = mkdtempSync(path.join(tmpdir(), 'chat-e2e-web-'));
  cpSync(source, dir, { recursive: true });
  // mkdtemp makes it 0700; nginx's workers (`nobody` under a root master) must read it.
  chmodSync(dir, 0o755);
  return dir;
}

/** Whether `port` can be listened on right now (on every interface, as the services do). */
function canListen(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

/**
 * A port nobody listens on, picked below Linux's ephemeral range (32768+) so that an
 * outgoing connection can't take it between this check and the service's own listen.
 */
async function freePort() {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!usedPorts.has(port) && (await canListen(port))) {
      usedPorts.add(port);
      return port;
    }
  }
  throw new Error('no free port found between 20000 and 32000');
}
const usedPorts = new Set();

/**
 * A self-signed certificate for 127.0.0.1 (`key.pem`, `cert.pem` in a new temp dir): push.spec
 * serves its local push endpoint with it, and the backend trusts it from the start.
 */
function loopbackCertificate() {
  const dir = mkdtempSync(path.join(tmpdir(), 'e2e-push-tls-'));
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '2'],
      ...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    ],
    { stdio: 'ignore' },
  );
  return dir;
}

/** A backend process whose output is kept (last KEEP_LINES lines) for the failure report. */
function startQuiet(name, args, env) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = [];
  const keep = (stream) => {
    let buf = '';
    stream.on('data', (chunk) => {
      buf += chunk;
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (process.env.E2E_SHOW_LOGS) process.stderr.write(`${name.padEnd(20)}│ ${line}\n`);
      }
      if (lines.length > KEEP_LINES) lines.splice(0, lines.length - KEEP_LINES);
    });
  };
  keep(child.stdout);
  keep(child.stderr);
  return { name, child, lines };
}

/** A positive integer from the environment, or `fallback` when unset. */
function countFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${name} must be a positive integer (got ${raw})`);
  return n;
}

/** NGINX as the cluster tests run it (deploy/nginx.conf's rules for local gateways); not started. */
async function nginxProxy(port, gatewayPorts, staticDir) {
  await ensureNginx();
  // TypeScript, shared with tests/support/system.ts and `npm run cluster`: loaded through tsx.
  const { tsImport } = await import('tsx/esm/api');
  const { NginxProxy } = await tsImport('../tests/support/nginx.ts', import.meta.url);
  return new NginxProxy({ port, gateways: gatewayPorts, staticDir, dir: NginxProxy.tempDir() });
}

/** What went through each gateway, from nginx's access log: users really were spread. */
function upstreamSummary(proxy) {
  let log = '';
  try {
    log = readFileSync(path.join(proxy.opts.dir, 'access.log'), 'utf8');
  } catch {
    return 'no access log';
  }
  const counts = new Map(proxy.opts.gateways.map((p) => [`127.0.0.1:${p}`, { http: 0, ws: 0 }]));
  for (const m of log.matchAll(/" (\d{3}) .* upstream=(.+)$/gm)) {
    // A failed-over request names every upstream it tried; the last one answered.
    const entry = counts.get(m[2].split(', ').at(-1));
    if (entry) entry[m[1] === '101' ? 'ws' : 'http']++;
  }
  return [...counts]
    .map(([addr, c]) => `${addr}: ${c.http} HTTP requests, ${c.ws} WebSockets`)
    .join('; ');
}

function reportLogs(services) {
  mkdirSync(LOG_DIR, { recursive: true });
  for (const { name, lines } of services) {
    const file = path.join(LOG_DIR, `${name}.log`);
    writeFileSync(file, lines.join('\n') + '\n');
    console.error(
      `\n── ${name}: last ${SHOW_ON_FAILURE} lines (all in ${path.relative(ROOT, file)})`,
    );
    console.error(lines.slice(-SHOW_ON_FAILURE).join('\n') || '(no output)');
  }
}

/** Drops this run's queues, exchanges and databases (left behind, they cost RabbitMQ CPU). */
async function dropNamespace(env) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'tests/support/drop-namespace.ts')],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'inherit' },
  );
  await new Promise((resolve) => child.on('exit', resolve).on('error', resolve));
}

async function main() {
  const extraArgs = process.argv.slice(2);
  const gatewayCount = countFromEnv('E2E_GATEWAYS', 1);
  const replicas = countFromEnv('E2E_WORKER_REPLICAS', 1);
  const useNginx = process.env.E2E_NGINX === '1';
  if (gatewayCount > 1 && !useNginx)
    throw new Error('E2E_GATEWAYS > 1 needs E2E_NGINX=1 (the browser needs one address)');

  ensureDependencies();
  if (process.env.E2E_SKIP_BUILD) step('Skipping the build (E2E_SKIP_BUILD)');
  else build();
  const { env: stackEnv, startedHere } = await stackUp();

  const id = randomBytes(4).toString('hex');
  const pushTlsDir = loopbackCertificate();
  const gatewayPorts = [];
  for (let i = 0; i < gatewayCount; i++) gatewayPorts.push(await freePort());
  // The gateways learn NGINX's address (PUBLIC_URL) before it starts: its port is picked now.
  const nginxPort = useNginx ? await freePort() : null;
  const baseUrl = `http://127.0.0.1:${nginxPort ?? gatewayPorts[0]}`;
  const env = {
    ...stackEnv,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'info',
    LOG_PRETTY: 'false',
    MONGO_DB_PREFIX: `e2e${id}_`,
    BUS_NAMESPACE: `e2e${id}.`,
    BCRYPT_COST: '4',
    // Every test signs up several users and sends bursts from 127.0.0.1.
    RATE_REGISTER_PER_IP: '100000',
    RATE_LOGIN_FAILURES_PER_IP: '100000',
    RATE_DEFAULT_PER_CONNECTION: '100000',
    RATE_SEND_PER_USER: '100000',
    // Specs that watch a user go offline wait this long, not the default 10 s.
    PRESENCE_OFFLINE_GRACE_MS: '3000',
    // Web Push: a pair of this run's own, and trust in push.spec's local HTTPS push endpoint.
    ...generateVapidKeys(),
    NODE_EXTRA_CA_CERTS: path.join(pushTlsDir, 'cert.pem'),
  };

  const services = [];
  let staticDir = null;
  let proxy = null;
  let stopping = false;
  const stopAll = async () => {
    stopping = true;
    await proxy?.stop(true);
    await Promise.all(services.map((s) => stopProcess(s.child)));
    await dropNamespace(env);
    if (staticDir) rmSync(staticDir, { recursive: true, force: true });
    rmSync(pushTlsDir, { recursive: true, force: true });
    if (startedHere && !process.env.E2E_KEEP_STACK) {
      step('Stopping the local stack (this run started it)');
      const { stackDown } = await import('./stack/lib.mjs');
      await stackDown().catch((err) => console.error(err.message));
    }
  };

  // Interrupted while Playwright runs: it stops, then the normal path below cleans up.
  // Interrupted during set-up (or twice): stop what was started and leave.
  let playwright = null;
  let interrupted = false;
  const onSignal = (signal) => {
    console.error(`\n${signal}: stopping…`);
    if (!interrupted && playwright && playwright.exitCode === null) {
      interrupted = true;
      playwright.kill(signal);
      return;
    }
    interrupted = true;
    if (playwright && playwright.exitCode === null) playwright.kill('SIGKILL');
    void stopAll().then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let code = 1;
  try {
    staticDir = snapshotWebApp();
    const shape = useNginx
      ? `: ${gatewayCount} gateway(s) and ${replicas} × each worker behind NGINX`
      : replicas > 1
        ? `: ${replicas} × each worker`
        : '';
    step(`Starting an isolated backend on ${baseUrl} (prefix e2e${id}_)${shape}`);
    const readyUrls = [];
    for (const name of WORKERS)
      for (let i = 1; i <= replicas; i++) {
        const healthPort = await freePort();
        const label = replicas > 1 ? `${name}-worker-${i}` : `${name}-worker`;
        const service = startQuiet(label, ['apps/workers/dist/main.js', name], {
          ...env,
          HEALTH_PORT: String(healthPort),
        });
        services.push(service);
        readyUrls.push([service, `http://127.0.0.1:${healthPort}/ready`]);
      }
    for (const [i, port] of gatewayPorts.entries()) {
      const gateway = startQuiet(
        gatewayCount > 1 ? `gateway-${i + 1}` : 'gateway',
        ['apps/gateway/dist/main.js'],
        {
          ...env,
          PORT: String(port),
          PUBLIC_URL: baseUrl,
          STATIC_DIR: staticDir,
          // Behind NGINX the page's origin is NGINX's (X-Forwarded-Host), and so is the client IP.
          ...(useNginx ? { TRUST_PROXY: 'true' } : {}),
        },
      );
      services.push(gateway);
      readyUrls.push([gateway, `http://127.0.0.1:${port}/ready`]);
    }
    for (const { name, child } of services) {
      child.on('exit', (exitCode, signal) => {
        if (!stopping) console.error(`✖ ${name} exited unexpectedly (${exitCode ?? signal})`);
      });
    }
    await Promise.all(readyUrls.map(([s, url]) => waitReady(url, s.child)));
    if (useNginx) {
      proxy = await nginxProxy(nginxPort, gatewayPorts, staticDir);
      await proxy.start();
      step(
        `NGINX on ${baseUrl} → gateways ${gatewayPorts.map((p) => `127.0.0.1:${p}`).join(', ')}`,
      );
    }

    step(`Running Playwright against ${baseUrl}`);
    const started = Date.now();
    code = await new Promise((resolve) => {
      // `npx playwright test`, minus npx: signals reach Playwright itself.
      playwright = spawn(
        process.execPath,
        [PLAYWRIGHT_CLI, 'test', '-c', 'apps/web/playwright.config.ts', ...extraArgs],
        {
          cwd: ROOT,
          env: { ...process.env, BASE_URL: baseUrl, E2E_PUSH_TLS_DIR: pushTlsDir },
          stdio: 'inherit',
        },
      );
      playwright.on('error', (err) => {
        console.error(`✖ could not start Playwright: ${err.message}`);
        resolve(1);
      });
      playwright.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
    });
    console.log(`Playwright finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (proxy) console.log(`Through NGINX: ${upstreamSummary(proxy)}`);
    if (code !== 0 && !interrupted) {
      console.error('\n✖ e2e failed: the backend’s last log lines follow');
      reportLogs(services);
      if (proxy) reportLogs([{ name: 'nginx-errors', lines: proxy.errors().split('\n') }]);
      console.error('\nScreenshots and traces of failures: apps/web/test-results/');
    }
  } catch (err) {
    console.error(`\n✖ e2e set-up failed: ${err.message}`);
    reportLogs(services);
    if (proxy) reportLogs([{ name: 'nginx-errors', lines: proxy.errors().split('\n') }]);
    console.log('e2e: 0 passed, 1 failed');
    code = 1;
  } finally {
    step('Stopping the backend');
    await stopAll();
  }
  process.exit(interrupted ? 130 : code);
}

main().catch((err) => {
  console.error(`\n✖ e2e failed: ${err.message}`);
  console.log('e2e: 0 passed, 1 failed');
  process.exit(1);
});
