/**
 * `npm run chaos`: a private stack and system, a steady retrying load with resuming
 * subscribers, and one fault after another (crash or clean stop, then restore). Prints per
 * fault what clients saw — acknowledged, lost, duplicated, resyncs, recovery, error codes —
 * and exits 1 on any loss, duplicate, id going backwards, unread drift or missed recovery.
 * Only the public API (SDK / tRPC over WebSocket), /ready and process control are used, so
 * it runs unchanged against a redesigned backend.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { analyse } from './analysis.js';
import { sleep } from './client-errors.js';
import { makeFault, type Fault } from './faults.js';
import { collectHistory, collectUnread } from './final-state.js';
import { Ledger } from './ledger.js';
import { Load } from './load.js';
import { parseOptions, USAGE, type ChaosOptions } from './options.js';
import { createPopulation, type ChaosUser } from './population.js';
import { PrivateStack } from './private-stack.js';
import { chaosTable, COLUMN_NOTES } from './report.js';
import { Services } from './services.js';
import { vapidKeys } from '../support/system.js';

const t0 = Date.now();
const log = (msg: string) =>
  console.log(`[chaos ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${msg}`);

const RECOVERY_TIMEOUT_MS = 120_000;

let options: ChaosOptions;
try {
  options = parseOptions(process.argv.slice(2));
} catch (err) {
  console.error(`${(err as Error).message}\n\n${USAGE}`);
  process.exit(2);
}

const stack = new PrivateStack(options.stackDir, options.portOffset, (line) => log(line));
const ledger = new Ledger();
let services: Services | null = null;
let users: ChaosUser[] = [];
let load: Load | null = null;
let interrupted = false;

/** Stops everything this run started; safe to call twice. */
let cleaning: Promise<void> | null = null;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const u of users) {
      u.outbox.stop();
      u.feed.goOffline();
      u.client.close();
    }
    await services?.stopAll().catch((err: Error) => log(`stopping services: ${err.message}`));
    log('stopping the private stack ...');
    await stack.down().catch((err: Error) => log(`stack down: ${err.message}`));
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) {
      // Second Ctrl-C: no more waiting. The servers go at the next run's reset at the latest.
      services?.killAll();
      process.exit(130);
    }
    interrupted = true;
    log(`${signal}: cleaning up (again to force) ...`);
    void cleanUp().finally(() => process.exit(130));
  });
}

function checkInterrupted(): void {
  if (interrupted) throw new Error('interrupted');
}

async function main(): Promise<number> {
  log(
    `faults: ${options.faults.join(', ')}; ${options.users} users, ${options.rate} msg/s, ${options.duration} s per fault`,
  );
  log(`private stack in ${stack.dir} (ports +${options.portOffset}) ...`);
  await stack.reset();
  checkInterrupted();
  await stack.up();
  checkInterrupted();

  const secret = () => randomBytes(32).toString('hex');
  services = await Services.create(
    {
      ...stack.urls(),
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      JWT_ACCESS_SECRET: secret(),
      JWT_REFRESH_SECRET: secret(),
      FILE_URL_SECRET: secret(),
      ...vapidKeys(),
      BCRYPT_COST: '4',
      // One host runs every simulated user: lift the per-IP and per-user limits.
      RATE_SEND_PER_USER: '1000000',
      RATE_TYPING_PER_USER: '1000000',
      RATE_DEFAULT_PER_CONNECTION: '1000000',
      RATE_REGISTER_PER_IP: '1000000',
      RATE_LOGIN_FAILURES_PER_IP: '1000000',
    },
    path.join(stack.dir, 'logs', 'services'),
  );
  log('starting the gateway and the workers ...');
  await services.startAll();
  services.watch((name, status) => {
    log(`!! ${name} exited by itself (${status}); starting it again`);
    ledger.phases.at(-1)?.unexpectedExits.push(`${name}(${status})`);
  });
  checkInterrupted();

  log(`signing up ${options.users} users ...`);
  users = await createPopulation(services.gatewayUrl, options.users, ledger);
  await waitUntil(
    () => users.every((u) => u.feed.live && u.feed.lastEventId !== undefined),
    30_000,
    'every stream to be live with an event to resume after',
  );
  load = new Load(users, ledger, { rate: options.rate, readRate: options.readRate });

  const settleMs = options.duration * 400;
  ledger.startPhase('baseline (no fault)');
  load.start();
  const progress = setInterval(() => log(status()), 5_000);
  try {
    await sleep(settleMs);
    for (const [i, id] of options.faults.entries()) {
      checkInterrupted();
      const recovered = await runFault(makeFault(id, services, stack), i);
      if (!recovered) {
        log(`!! no recovery within ${RECOVERY_TIMEOUT_MS / 1000} s: skipping the remaining faults`);
        log(services.tails());
        break;
      }
    }
    checkInterrupted();
    await finish();
  } finally {
    clearInterval(progress);
  }

  log('reading history and unread counts ...');
  const history = await collectHistory(users, ledger);
  const unread = await collectUnread(users);
  const analysis = analyse(ledger, history, unread);
  const table = chaosTable(analysis);
  const report = [
    `chaos: ${options.users} users, ${options.rate} msg/s, ${options.duration} s per fault, ${new Date().toISOString()}`,
    '',
    table,
    '',
    COLUMN_NOTES,
    '',
    analysis.failures.length ? `FAILED: ${analysis.failures.join('; ')}` : 'PASSED',
  ].join('\n');
  console.log(`\n${table}\n`);
  for (const s of analysis.samples) console.log(`  ${s}`);
  for (const d of analysis.unreadDrift.slice(0, 10))
    console.log(`  unread drift: ${d.userId} ${d.conversationId} ${d.unreadCount} ≠ ${d.expected}`);
  const reportFile = path.join(stack.dir, 'chaos-report.md');
  writeFileSync(reportFile, `${report}\n`);
  writeFileSync(
    path.join(stack.dir, 'chaos-run.json'),
    JSON.stringify({ options, phases: ledger.phases, sends: ledger.sends }),
  );
  writeFileSync(
    path.join(stack.dir, 'chaos-feeds.log'),
    [...ledger.feeds.values()].map((f) => `## ${f.userId}\n${f.trace.join('\n')}\n`).join('\n'),
  );
  console.log(
    `\n${analysis.failures.length ? `✖ chaos FAILED: ${analysis.failures.join('; ')}` : '✔ chaos passed'}`,
  );
  console.log(
    `  report: ${reportFile}; what each stream received: ${path.join(stack.dir, 'chaos-feeds.log')}; service logs: ${path.join(stack.dir, 'logs')}`,
  );
  return analysis.failures.length ? 1 : 0;
}

/** One fault: a quarter of the streams go offline, crash/stop, restore, recover, resume, settle. */
async function runFault(fault: Fault, index: number): Promise<boolean> {
  const phase = ledger.startPhase(fault.label);
  const offline = users.filter((u) => (u.index + index) % 4 === 0);
  for (const u of offline) u.feed.goOffline();
  load!.setOffline(offline);
  phase.offline = offline.map((u) => u.id);
  fault.prepare?.();
  log(`── ${fault.label}: ${offline.length} streams offline`);
  await sleep(options.duration * 200);

  phase.faultAt = Date.now();
  await fault.inject();
  log(`   ${fault.label}: done; down for ${(options.duration * 0.4).toFixed(1)} s`);
  await sleep(options.duration * 400);
  await fault.restore();
  phase.restoredAt = Date.now();
  log(`   restored after ${((phase.restoredAt - phase.faultAt) / 1000).toFixed(1)} s`);

  const restoredAt = phase.restoredAt;
  const recovered = await waitUntil(
    async () => ledger.latestAckedAttempt >= restoredAt && (await services!.allReady()),
    RECOVERY_TIMEOUT_MS,
  );
  if (recovered) {
    phase.recoveredAt = Date.now();
    log(`   recovered in ${((phase.recoveredAt - restoredAt) / 1000).toFixed(1)} s`);
  }
  for (const u of offline) u.feed.goOnline();
  load!.setOffline([]);
  await sleep(options.duration * 400);
  return recovered;
}

/** No new messages; what is queued is acknowledged, every stream is live and caught up. */
async function finish(): Promise<void> {
  ledger.startPhase('drain (no fault, no new sends)');
  log('stopping the load; waiting for queued sends ...');
  await load!.stop();
  if (!(await waitUntil(() => load!.pendingSends === 0, 90_000)))
    log(`!! ${load!.pendingSends} sends still unacknowledged after 90 s`);
  for (const u of users) u.outbox.stop();
  for (const u of users) u.feed.goOnline();
  await waitUntil(() => users.every((u) => u.feed.live), 30_000, 'every stream to be live');
  log('waiting for deliveries to settle ...');
  let last = -1;
  let stableSince = Date.now();
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const outstanding = undelivered();
    if (outstanding === 0) break;
    if (outstanding !== last) {
      last = outstanding;
      stableSince = Date.now();
    } else if (Date.now() - stableSince > 15_000) break;
    await sleep(500);
  }
  log(`deliveries outstanding: ${undelivered()}`);
}

/** Acknowledged (message × participant) pairs not received and not covered by a resync. */
function undelivered(): number {
  let n = 0;
  for (const send of ledger.sends) {
    if (!send.messageId) continue;
    for (const userId of ledger.conversations.get(send.conversationId) ?? []) {
      const feed = ledger.feeds.get(userId);
      if (feed?.received.has(send.messageId)) continue;
      if (feed?.resyncs.some((r) => r.at >= send.firstAttemptAt)) continue;
      n++;
    }
  }
  return n;
}

let lastStatus = { acked: 0, errors: 0 };
function status(): string {
  const acked = ledger.sends.filter((s) => s.messageId).length;
  const errors = ledger.errors.length;
  const line = `   ${ledger.phases.at(-1)?.name ?? ''}: +${acked - lastStatus.acked} acked, +${
    errors - lastStatus.errors
  } errors, ${load?.pendingSends ?? 0} queued, ${users.filter((u) => u.feed.live).length}/${users.length} streams live`;
  lastStatus = { acked, errors };
  return line;
}

async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what?: string,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (interrupted) return false;
    if (Date.now() > deadline) {
      if (what) throw new Error(`timed out waiting for ${what}`);
      return false;
    }
    await sleep(200);
  }
  return true;
}

void main()
  .then(
    (code) => code,
    (err: Error) => {
      if (!interrupted) {
        console.error(`\n✖ chaos aborted: ${err.stack ?? err.message}`);
        if (services) console.error(services.tails());
      }
      return 2;
    },
  )
  .then(async (code) => {
    await cleanUp();
    process.exit(interrupted ? 130 : code);
  });
