/**
 * What each process needs, for the Kubernetes requests/limits and terminationGracePeriodSeconds
 * (deploy/README.md, "Measured figures"). Figures only: no assertions.
 *
 * 1. Resources: one gateway and one worker of each role; N signed-in users with events.stream
 *    open send messages to their neighbour at R msg/s for D s. Every 500 ms each process's RSS
 *    (/proc/<pid>/status VmRSS) and CPU time (/proc/<pid>/stat utime+stime) are read: idle and
 *    peak RSS, mean and peak CPU (cores) under load.
 * 2. Sign-ins: the auth worker restarted with the production bcrypt cost; L sign-ins by 4
 *    clients back to back (phase 1 has none: its users sign up before the sampling starts,
 *    at the tests' cost of 4). Sampled the same way.
 * 3. Drain: S authenticated sockets with events.stream on one gateway (RSS before and after
 *    they connect: the cost of a socket); SIGTERM; the time until the process exits (it tells
 *    clients to reconnect and waits up to SHUTDOWN_DRAIN_MS).
 *
 *   node --import tsx tests/bench/footprint.ts [--users 50] [--rate 100] [--seconds 30]
 *     [--signins 100] [--bcrypt-cost 12] [--sockets 1000]
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ServiceProcess } from '../support/process.js';
import { scrape, total } from '../support/metrics.js';
import { TestSystem, type TestUser } from '../support/system.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '50' },
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '30' },
    signins: { type: 'string', default: '100' },
    'bcrypt-cost': { type: 'string', default: '12' },
    sockets: { type: 'string', default: '1000' },
  },
});
const USERS = Number(values.users);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const SOCKETS = Number(values.sockets);
const SIGNINS = Number(values.signins);
const BCRYPT_COST = values['bcrypt-cost'];
/** Clients signing in back to back: enough to keep the auth worker's one thread busy, few
 * enough that none waits past the RPC deadline (bcryptjs hashes on the main thread, one
 * compare at cost 12 takes 0.3–0.7 s of a core here: 4 queued ≤ 3 s < 5 s). */
const SIGNIN_CLIENTS = 4;
const TICKS_PER_S = 100; // USER_HZ on Linux

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function sample(pid: number | undefined): { rssMb: number; cpuS: number } | null {
  if (!pid) return null;
  try {
    const rss = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
    // Fields after the command name (which may contain spaces): utime is 14th, stime 15th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuTicks = Number(fields[11]) + Number(fields[12]);
    return { rssMb: Number(rss?.[1] ?? 0) / 1024, cpuS: cpuTicks / TICKS_PER_S };
  } catch {
    return null;
  }
}

interface Usage {
  idleRss: number;
  peakRss: number;
  cpu: number[];
}

/** Runs `work` while sampling every process every 500 ms. */
async function sampled(
  procs: ServiceProcess[],
  work: () => Promise<void>,
): Promise<Map<ServiceProcess, Usage>> {
  const usage = new Map<ServiceProcess, Usage>(
    procs.map((p) => [p, { idleRss: sample(p.pid)?.rssMb ?? 0, peakRss: 0, cpu: [] }]),
  );
  let sampling = true;
  const sampler = (async () => {
    const last = new Map(procs.map((p) => [p, sample(p.pid)]));
    while (sampling) {
      await sleep(500);
      for (const p of procs) {
        const now = sample(p.pid);
        const before = last.get(p);
        const u = usage.get(p)!;
        if (now && before) {
          u.peakRss = Math.max(u.peakRss, now.rssMb);
          u.cpu.push((now.cpuS - before.cpuS) / 0.5);
        }
        last.set(p, now);
      }
    }
  })();
  try {
    await work();
  } finally {
    sampling = false;
    await sampler;
  }
  return usage;
}

function printUsage(usage: Map<ServiceProcess, Usage>): void {
  console.log('  process               RSS idle  RSS peak  CPU mean  CPU p95  CPU peak (cores)');
  for (const [p, u] of usage) {
    const sorted = [...u.cpu].sort((a, b) => a - b);
    const mean = sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length);
    const p95 = sorted[Math.floor(sorted.length * 0.95)] ?? 0;
    console.log(
      `  ${p.name.padEnd(20)} ${u.idleRss.toFixed(0).padStart(6)} MB ${u.peakRss.toFixed(0).padStart(6)} MB ` +
        `${mean.toFixed(2).padStart(8)} ${p95.toFixed(2).padStart(8)} ${(sorted.at(-1) ?? 0).toFixed(2).padStart(9)}`,
    );
  }
}

async function resources(system: TestSystem): Promise<void> {
  const procs: ServiceProcess[] = [
    ...system.gateways,
    ...Object.values(system.workers).filter((p): p is ServiceProcess => p !== undefined),
  ];
  // Idle: started, nobody signed in yet.
  const idle = new Map(procs.map((p) => [p, sample(p.pid)?.rssMb ?? 0]));
  const users: TestUser[] = [];
  for (let i = 0; i < USERS; i++) users.push(await system.user());
  const conversations = await Promise.all(
    users.map((u, i) =>
      u.client.api.chat.openDirect.mutate({ userId: users[(i + 1) % USERS]!.id }),
    ),
  );
  let delivered = 0;
  const subs = users.map((u) =>
    u.client.api.events.stream.subscribe(
      {},
      {
        onData: (item) => {
          const event = 'data' in item ? item.data : item;
          if (event.type === 'message.new' && event.message.senderId !== u.id) delivered++;
        },
      },
    ),
  );
  await sleep(1000);

  const messages = RATE * SECONDS;
  let failed = 0;
  const usage = await sampled(procs, async () => {
    const started = performance.now();
    const inflight: Array<Promise<void>> = [];
    for (let n = 0; n < messages; n++) {
      const wait = started + (n * 1000) / RATE - performance.now();
      if (wait > 0) await sleep(wait);
      const i = n % USERS;
      inflight.push(
        users[i]!.client.api.chat.send.mutate({
          conversationId: conversations[i]!.id,
          clientId: randomUUID(),
          content: `footprint ${n}`,
        }).then(
          () => undefined,
          () => void failed++,
        ),
      );
    }
    await Promise.all(inflight);
    const deadline = performance.now() + 15_000;
    while (delivered < messages - failed && performance.now() < deadline) await sleep(50);
  });
  subs.forEach((s) => s.unsubscribe());
  for (const [p, u] of usage) u.idleRss = idle.get(p) ?? u.idleRss;

  console.log(
    `\nResources: ${USERS} users, ${messages} messages at ${RATE}/s over ${SECONDS} s ` +
      `(${failed} failed, ${delivered} delivered)`,
  );
  printUsage(usage);
}

async function signIns(system: TestSystem): Promise<void> {
  const auth = system.worker('auth');
  const testCost = auth.env.BCRYPT_COST!;
  auth.env.BCRYPT_COST = BCRYPT_COST;
  await system.restart(auth);
  try {
    // Hashed at the production cost: each sign-in compares at that cost.
    const users: TestUser[] = [];
    for (let i = 0; i < SIGNIN_CLIENTS; i++) users.push(await system.user());
    await sleep(1000);
    let done = 0;
    let failed = 0;
    const started = performance.now();
    const usage = await sampled([auth], async () => {
      let next = 0;
      await Promise.all(
        users.map(async (u) => {
          while (next < SIGNINS) {
            next++;
            await system
              .client()
              .login({ identifier: u.username, password: u.password })
              .then(
                () => void done++,
                () => void failed++,
              );
          }
        }),
      );
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `\nSign-ins: ${done} at bcrypt cost ${BCRYPT_COST} by ${SIGNIN_CLIENTS} clients back to back ` +
        `in ${seconds.toFixed(1)} s (${(done / seconds).toFixed(1)}/s, ${failed} failed)`,
    );
    printUsage(usage);
  } finally {
    // Back to the tests' cost: the drain signs up many users.
    auth.env.BCRYPT_COST = testCost;
    await system.restart(auth);
  }
}

async function drain(system: TestSystem): Promise<void> {
  const gateway = system.gateways[0]!;
  const users: TestUser[] = [];
  for (let i = 0; i < SOCKETS; i += 25)
    users.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(25, SOCKETS - i) }, () => system.user()),
      )),
    );
  // Signed up over HTTP, no socket yet: the baseline for the memory a socket costs.
  await sleep(2000);
  const rssBefore = sample(gateway.pid)?.rssMb ?? 0;
  users.forEach((u) => u.client.api.events.stream.subscribe({}, { onData: () => undefined }));
  const metrics = `${system.url}/metrics`;
  const deadline = Date.now() + 60_000;
  let open = 0;
  while (Date.now() < deadline) {
    open = total(await scrape(metrics), 'websocket_open_connections');
    if (open >= SOCKETS) break;
    await sleep(250);
  }
  await sleep(2000);
  const rss = sample(gateway.pid)?.rssMb ?? 0;
  const perSocketKb = open > 0 ? ((rss - rssBefore) * 1024) / open : 0;
  const started = performance.now();
  await gateway.stop('SIGTERM');
  const drainS = (performance.now() - started) / 1000;
  console.log(
    `\nDrain: ${open} sockets with events.stream open on one gateway (RSS ${rssBefore.toFixed(0)} MB → ` +
      `${rss.toFixed(0)} MB, ${perSocketKb.toFixed(0)} KB per socket); ` +
      `SIGTERM → exit in ${drainS.toFixed(2)} s (SHUTDOWN_DRAIN_MS=${system.env.SHUTDOWN_DRAIN_MS ?? '5000'}` +
      `${drainS >= 10 ? '; killed by the 10 s SIGKILL fallback' : ''})`,
  );
  users.forEach((u) => u.client.close());
}

async function main() {
  const env = {
    LOG_LEVEL: 'warn',
    RATE_SEND_PER_USER: '1000000',
    RATE_TYPING_PER_USER: '1000000',
    QUEUE_SAMPLE_INTERVAL_MS: '10000',
  };
  const system = await TestSystem.start({ gateways: 1, env });
  try {
    await resources(system);
    if (SIGNINS > 0) await signIns(system);
    await drain(system);
  } finally {
    await system.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
