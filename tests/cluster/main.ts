/**
 * `npm run cluster` (tools/cluster.mjs sets up, then runs this): N gateways and N replicas of
 * each worker role on this machine behind NGINX (deploy/nginx.conf's rules, see
 * tests/support/nginx.ts), against the local stack whose URLs are in the environment.
 * Logs are prefixed with the process name; Ctrl-C stops everything this started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { NginxProxy } from '../support/nginx.js';
import { ROOT } from '../support/stack-env.js';

const { values } = parseArgs({
  options: {
    gateways: { type: 'string', default: '3' },
    workers: { type: 'string', default: '2' },
    port: { type: 'string', default: '8080' },
    'gateway-port': { type: 'string', default: '4101' },
    'health-port': { type: 'string', default: '9201' },
  },
});
const GATEWAYS = Number(values.gateways);
const REPLICAS = Number(values.workers);
const PORT = Number(values.port);
const ROLES = ['auth', 'user', 'chat', 'notification'];
for (const [name, n] of Object.entries({ gateways: GATEWAYS, workers: REPLICAS, port: PORT }))
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);

const children: Array<{ name: string; child: ChildProcess }> = [];
let stopping = false;

function start(name: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A group of its own: Ctrl-C reaches this process only, which stops each child once.
    detached: true,
  });
  for (const [stream, out] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const) {
    let buf = '';
    stream.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) out.write(`${name.padEnd(16)}│ ${line}\n`);
    });
  }
  child.on('exit', (code) => {
    if (stopping) return;
    console.error(`${name} exited (${code}); stopping the cluster`);
    void stopAll(1);
  });
  children.push({ name, child });
  return child;
}

async function waitReady(url: string, name: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (stopping) return;
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} not ready at ${url} after 60 s`);
}

const nginx = new NginxProxy({
  port: PORT,
  gateways: Array.from({ length: GATEWAYS }, (_, i) => Number(values['gateway-port']) + i),
  staticDir: path.join(ROOT, 'apps/web/dist'),
  dir: path.join(ROOT, '.stack', 'cluster-nginx'),
});

async function stopAll(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping the cluster…');
  await nginx.stop();
  await Promise.all(
    children.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  process.exit(code);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  const publicUrl = `http://localhost:${PORT}`;
  const env = {
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    LOG_PRETTY: process.env.LOG_PRETTY ?? 'true',
    PUBLIC_URL: publicUrl,
    ALLOWED_ORIGINS: `${publicUrl},http://127.0.0.1:${PORT}`,
    TRUST_PROXY: 'true',
  };
  const ready: Array<[string, string]> = [];
  let healthPort = Number(values['health-port']);
  for (const role of ROLES)
    for (let i = 1; i <= REPLICAS; i++) {
      const name = `${role}-${i}`;
      start(name, ['apps/workers/dist/main.js', role], { ...env, HEALTH_PORT: String(healthPort) });
      ready.push([name, `http://127.0.0.1:${healthPort++}/ready`]);
    }
  for (const [i, port] of nginx.opts.gateways.entries()) {
    const name = `gateway-${i + 1}`;
    start(name, ['apps/gateway/dist/main.js'], { ...env, PORT: String(port) });
    ready.push([name, `http://127.0.0.1:${port}/ready`]);
  }
  await Promise.all(ready.map(([name, url]) => waitReady(url, name)));
  await nginx.start();
  console.log(`\n✔ Cluster running: ${publicUrl}   (API: ${publicUrl}/trpc, through NGINX)`);
  console.log(`  gateways: ${nginx.opts.gateways.map((p) => `127.0.0.1:${p}`).join(', ')}`);
  console.log(
    `  workers:  ${REPLICAS} × ${ROLES.join(', ')} (health and /metrics: ${ready
      .filter(([n]) => !n.startsWith('gateway'))
      .map(([, url]) => new URL(url).port)
      .join(', ')})`,
  );
  console.log(`  nginx:    config and logs in ${nginx.opts.dir}`);
  console.log('  Press Ctrl-C to stop.\n');
}

main().catch((err: unknown) => {
  console.error(`✖ cluster failed: ${(err as Error).message}`);
  void stopAll(1);
});
