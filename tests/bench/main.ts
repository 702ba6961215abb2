/**
 * `npm run bench`: the hot-path benchmark (issue 8). Starts an isolated system on the
 * shared stack servers, drives it only through the public API (tRPC over HTTP and
 * WebSocket), then the same generator against a bare tRPC relay, and prints one table.
 * Figures only: it asserts nothing. Results also go to bench-results/<time>.json.
 */
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { freePort } from '../support/process.js';
import { stackEnv } from '../support/stack-env.js';
import { sleep } from './async.js';
import { cleanUpOnSignals, onCleanup } from './cleanup.js';
import { otherLoad, snapshotAllProcesses } from './machine.js';
import { parseOptions, type BenchOptions } from './options.js';
import { ConnectedUsers, pairUp, registerUsers } from './population.js';
import { descendantsOf, openFilesLimit, readAllStats } from './proc.js';
import { cpuTable, mainTable, switchesTable, type BenchResults } from './report.js';
import { machineLine, runKeepingRecord, startRecord } from './run-record.js';
import { measureConnections } from './steps/connections.js';
import { measureGroup } from './steps/group.js';
import { measureIdle, settle, type IdleResult } from './steps/idle.js';
import { describeTraces } from './trace-report.js';
import { runLadder } from './steps/rates.js';
import { runSustained, type RateResult } from './steps/sustained.js';
import { DeliveryTracker } from './deliveries.js';
import { setUpRetries } from './http-api.js';
import { sendTracked, type TracedSample } from './steps/send.js';
import { seedMessages } from './steps/store.js';
import { startRelay, startSystem, type SystemTarget, type Target } from './targets.js';

/** The system's settings for the benchmark only; the product's defaults stay as they are. */
const BENCH_ENV: Record<string, string> = {
  LOG_LEVEL: 'warn',
  BCRYPT_COST: '4',
  // Rate limits are per user / per connection; the load is many users from one address.
  RATE_SEND_PER_USER: '1000000',
  RATE_TYPING_PER_USER: '1000000',
  RATE_DEFAULT_PER_CONNECTION: '1000000',
  RATE_REGISTER_PER_IP: '1000000',
  // A full run outlives the default 15-minute access token.
  ACCESS_TOKEN_TTL_S: '86400',
};

/** The warm-up's rate: well below where the system saturates, so it ends with no backlog. */
const WARMUP_RATE = 50;
/** The OpenTelemetry batch exporter sends every 5 s by default: wait for a step's spans. */
const TRACE_EXPORT_WAIT_MS = 6_000;
const log = (line: string) => console.log(line);
const heading = (text: string) => console.log(`\n▶ ${text}`);

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  cleanUpOnSignals();
  onCleanup('child processes', stopChildren);
  const results: BenchResults = {
    ...startRecord(),
    options: { ...options, steps: [...options.steps] },
  };
  const before = snapshotAllProcesses();
  const excluded = new Set<number>();
  console.log(
    `Benchmark: steps ${[...options.steps].join(', ')}${options.quick ? ' (quick)' : ''}; ` +
      machineLine(results.machine),
  );
  await runKeepingRecord(
    results,
    {
      outDir: options.outDir,
      prefix: '',
      finish: (r) => {
        if (setUpRetries.size > 0)
          r.notes.push(
            `Set-up calls (sign-up, openDirect, group) were retried: ${[...setUpRetries].map(([c, k]) => `${c} ×${k}`).join(', ')}`,
          );
        r.otherLoad = otherLoad(before, snapshotAllProcesses(), excluded);
      },
      print: printResults,
    },
    async () => {
      checkFileLimit(options, results);
      if (
        ['idle', 'dm', 'cpu', 'group', 'conn', 'store'].some((s) => options.steps.has(s as never))
      )
        await benchSystem(options, results, excluded);
      if (options.steps.has('relay')) await benchRelay(options, results);
    },
  );
}

/**
 * `--tracing`: an OTLP/HTTP receiver on 127.0.0.1 that counts what the processes export (the
 * cost measured is the processes' own: spans built, batched, serialized and sent).
 */
async function startTraceSink(
  results: BenchResults,
): Promise<{ sink: OtlpReceiver; env: Record<string, string> }> {
  const sink = new OtlpReceiver(false);
  const endpoint = await sink.start();
  onCleanup('trace sink', async () => {
    await sink.stop();
    results.notes.push(`Tracing: ${sink.spanCount} spans received in ${sink.exports} exports.`);
  });
  log(`  tracing on: every trace sampled, exported to ${endpoint}`);
  return { sink, env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_TRACES_SAMPLER_ARG: '1' } };
}

/**
 * With `--tracing`, runs a step with the trace sink keeping spans, then prints where its
 * messages' time went (trace-report.ts); without, just runs it.
 */
async function traced<T>(
  what: string,
  sink: OtlpReceiver | undefined,
  run: (onSample: (sample: TracedSample) => void) => Promise<T>,
): Promise<T> {
  const samples: TracedSample[] = [];
  if (sink) sink.keep = true;
  const result = await run((s) => samples.push(s));
  if (sink) {
    // The processes export in batches every few seconds.
    await sleep(TRACE_EXPORT_WAIT_MS);
    sink.keep = false;
    for (const line of describeTraces(what, sink.spans.splice(0), samples)) log(`  ${line}`);
  }
  return result;
}

function checkFileLimit(options: BenchOptions, results: BenchResults): void {
  if (!options.steps.has('conn')) return;
  const limit = openFilesLimit();
  const needed = options.connections + options.users + 2_000;
  if (limit !== null && limit < needed) {
    const fit = Math.max(100, limit - options.users - 2_000);
    const note =
      `open-files limit ${limit} < ${needed} needed: measuring ${fit} connections instead of ` +
      `${options.connections} (raise it with \`ulimit -n\`; npm run bench tries to)`;
    console.warn(`  ! ${note}`);
    results.notes.push(note);
    options.connections = fit;
  }
}

async function benchSystem(
  options: BenchOptions,
  results: BenchResults,
  excluded: Set<number>,
): Promise<void> {
  const has = (step: string) => options.steps.has(step as never);
  heading(
    `Starting an isolated system (${options.gateways} gateway(s), ${options.replicas} of each worker)`,
  );
  const traceSink = options.tracing ? await startTraceSink(results) : null;
  const tracing = traceSink?.env ?? {};
  const target = await startSystem({
    gateways: options.gateways,
    replicas: options.replicas,
    env: { ...BENCH_ENV, ...tracing, ...options.env },
  });
  const stopSystem = onCleanup('system', () => target.stop());
  const all = readAllStats();
  for (const g of target.cpuGroups)
    if (g.shared) descendantsOf(g.pid, all).forEach((s) => excluded.add(s.pid));
  log(
    `  system at ${target.urls.join(', ')}: database prefix ${target.system.dbPrefix}, Redis db ${target.redisDb}, ` +
      `bus namespace ${target.system.env.BUS_NAMESPACE}`,
  );
  log(`  CPU measured for: ${target.cpuGroups.map((g) => g.name).join(', ')}`);
  results.notes.push(
    'Redis, RabbitMQ, the store and PostgreSQL are shared with anything else using the local stack: their CPU includes that.',
    `System env for the bench: ${Object.entries({ ...BENCH_ENV, ...tracing, ...options.env })
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );

  const users = await setUpUsers(target, options, results);
  const probe = () =>
    settle(users, { thresholdMs: settleThreshold(results.idle), timeoutMs: 300_000, log });

  if (options.warmupSeconds > 0 && (has('idle') || has('dm') || has('cpu'))) {
    // A fresh system is slow for a while (JIT, pools, PostgreSQL's first statistics of the
    // new tables): the first rung measured that rather than the design. Not recorded.
    heading(`Warm-up: ${WARMUP_RATE} msg/s for ${options.warmupSeconds} s (not recorded)`);
    const warm = await runSustained(users, {
      rate: WARMUP_RATE,
      seconds: options.warmupSeconds,
      phase: 'ladder',
      cpuGroups: target.cpuGroups,
      graceMs: options.graceSeconds * 1000,
      log,
    });
    log(`  warm-up: p50/p99 ${warm.latency.p50?.toFixed(1)}/${warm.latency.p99?.toFixed(1)} ms`);
    await probe();
  }

  if (has('idle') || has('store')) {
    heading(`1 Idle latency (${options.idleSamples} messages, one at a time)`);
    results.idle = await traced('idle', traceSink?.sink, async (onSample) => {
      const idle = await measureIdle(users, {
        samples: options.idleSamples,
        maxSeconds: options.idleMaxSeconds,
        log,
        onSample,
      });
      log(`  ${describeIdle(idle)}`);
      return idle;
    });
  }

  if (has('dm') || has('cpu')) {
    const ladderOnlyForCpu = !has('dm');
    const rates = ladderOnlyForCpu ? options.rates.slice(0, 1) : options.rates;
    heading(
      `2–3, 6 Sustained direct messages: ${rates.join(', ')} msg/s, ${options.seconds} s each`,
    );
    await probe();
    results.sustained = { steps: [], highest: [] };
    await runLadder(
      users,
      {
        rates,
        seconds: options.seconds,
        bisectProbes: ladderOnlyForCpu ? 0 : options.bisectProbes,
        bisectSeconds: options.bisectSeconds,
        bounds: [100, 50],
        common: { cpuGroups: target.cpuGroups, graceMs: options.graceSeconds * 1000, log },
        between: async () => {
          await probe();
        },
      },
      results.sustained,
    );
    await probe();
  }

  if (has('group')) {
    heading(
      `4 A group of ${options.groupSize} members, ${options.groupMessages} messages one at a time`,
    );
    await probe();
    results.group = await traced('group', traceSink?.sink, (onSample) =>
      measureGroup(users, {
        size: options.groupSize,
        messages: options.groupMessages,
        log,
        cpuGroups: target.cpuGroups,
        onSample,
      }),
    );
  }

  if (has('conn')) {
    heading(`5 ${options.connections} idle connections to one gateway, then a reconnect storm`);
    await probe();
    users.closeAll();
    // A fresh gateway: its memory holds nothing but these sockets. The inspector port lets
    // the step force a garbage collection before each memory reading.
    const inspectPort = await freePort();
    const fresh = await target.system.startGateway({
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --inspect=127.0.0.1:${inspectPort}`.trim(),
    });
    log(`  a fresh gateway for this step at ${fresh.url}`);
    results.connections = await measureConnections({
      count: options.connections,
      url: fresh.url,
      pid: fresh.gateway.pid!,
      inspectPort,
      registerUrl: target.urls[0]!,
      cpuGroups: [
        { name: `${fresh.gateway.name} (fresh)`, pid: fresh.gateway.pid!, tree: false },
        ...target.cpuGroups,
      ],
      existing: users.users,
      existingConversations: users.conversations,
      existingLastEventIds: users.lastEventIds(),
      registerConcurrency: options.registerConcurrency,
      registerBudgetSeconds: options.registerBudgetSeconds,
      connectConcurrency: 200,
      stormTimeoutMs: 120_000,
      heapSnapshotDir: options.heapSnapshotDir,
      presenceMetricsUrl: notificationMetricsUrl(target),
      log,
    });
    log('  reconnecting the benchmark users');
    await users.connectAll({ concurrency: 100, timeoutMs: 300_000, log });
  }

  if (has('store')) {
    heading(
      `6 Idle latency again with ${options.storeMessages.toLocaleString('en-US')} stored messages`,
    );
    await probe();
    const baseline = results.idle!;
    const sent = await sendOne(users);
    const seed = await seedMessages({
      mongoUrl: stackEnv().MONGO_URL,
      dbPrefix: target.system.dbPrefix,
      probe: sent,
      total: options.storeMessages,
      perConversation: 100,
      log,
    });
    log(
      `  seeded ${seed.seeded.toLocaleString('en-US')} in ${seed.seconds.toFixed(0)} s (${Math.round(seed.perSecond)}/s): ${seed.method}`,
    );
    // Nothing queued to drain (the seeding bypassed the system): just let the store settle.
    await sleep(10_000);
    const idle = await measureIdle(users, {
      samples: options.idleSamples,
      maxSeconds: options.idleMaxSeconds,
      log,
    });
    log(`  ${describeIdle(idle)}`);
    results.store = { seed, baseline, idle };
  }

  users.closeAll();
  heading('Stopping the system');
  stopSystem();
  await target.stop();
}

async function benchRelay(options: BenchOptions, results: BenchResults): Promise<void> {
  heading('7 The same generator against a bare tRPC-over-WebSocket relay');
  const relay = await startRelay();
  const stopRelay = onCleanup('relay', () => relay.stop());
  const users = await setUpUsers(relay, options, null);
  results.relay = { users: users.size };
  results.relay.idle = await measureIdle(users, {
    samples: options.idleSamples,
    maxSeconds: options.idleMaxSeconds,
    log,
  });
  log(`  ${describeIdle(results.relay.idle)}`);
  const relayIdle = results.relay.idle;
  results.relay.sustained = { steps: [], highest: [] };
  await runLadder(
    users,
    {
      rates: options.relayRates,
      seconds: options.relaySeconds,
      bisectProbes: 0,
      bisectSeconds: options.bisectSeconds,
      bounds: [100, 50],
      common: { cpuGroups: relay.cpuGroups, graceMs: 5_000, log },
      between: async () => {
        await settle(users, { thresholdMs: settleThreshold(relayIdle), timeoutMs: 60_000, log });
      },
    },
    results.relay.sustained,
  );
  users.closeAll();
  stopRelay();
  await relay.stop();
}

/** Registers, pairs and connects the benchmark's users on `target`, timing each part. */
async function setUpUsers(
  target: Target,
  options: BenchOptions,
  results: BenchResults | null,
): Promise<ConnectedUsers> {
  heading(
    `Registering ${options.users} users (${options.registerConcurrency} at a time), connecting, pairing`,
  );
  const registered = await registerUsers(target.urls, options.users, {
    concurrency: options.registerConcurrency,
    log,
  });
  log(
    `  registered in ${registered.seconds.toFixed(1)} s (${Math.round(options.users / registered.seconds)}/s)`,
  );
  // Connected before pairing: the new conversation is each user's first stored event.
  const users = new ConnectedUsers(registered.value, [], { autoReconnect: true });
  onCleanup('benchmark sockets', () => users.closeAll());
  const connectSeconds = await users.connectAll({ concurrency: 100, timeoutMs: 300_000, log });
  log(`  ${options.users} sockets subscribed in ${connectSeconds.toFixed(1)} s`);
  const pairs = await pairUp(registered.value, { concurrency: options.registerConcurrency, log });
  log(`  ${options.users / 2} direct conversations in ${pairs.seconds.toFixed(1)} s`);
  users.conversations = pairs.value;
  if (results)
    results.setup = {
      users: options.users,
      registerSeconds: registered.seconds,
      registerPerSecond: options.users / registered.seconds,
      registerConcurrency: options.registerConcurrency,
      pairSeconds: pairs.seconds,
      connectSeconds,
    };
  return users;
}

/** Sends one message in the first pair and waits for it: a stored message to clone. */
async function sendOne(users: ConnectedUsers) {
  const tracker = new DeliveryTracker(users.size);
  users.handler = tracker.onEvent;
  try {
    const { tracked, answer } = sendTracked(users, tracker, 0, users.conversations[0]!, 1, 0);
    const result = await answer;
    if (!result.ok) throw new Error(`chat.send failed: ${result.code}: ${result.message}`);
    await tracker.waitComplete(tracked.clientId, 30_000);
    return {
      clientId: tracked.clientId,
      senderId: users.users[0]!.id,
      partnerId: users.users[1]!.id,
    };
  } finally {
    users.handler = null;
  }
}

/** "Settled" means a probe as fast as 3× the idle p99 (at least 250 ms). */
function settleThreshold(idle: IdleResult | undefined): number {
  return Math.max(250, 3 * (idle?.delivery.p99 ?? 0));
}

function describeIdle(r: IdleResult): string {
  const f = (v: number | null) => (v === null ? '–' : v.toFixed(1));
  return (
    `idle: n=${r.samples}, p50 ${f(r.delivery.p50)} ms, p99 ${f(r.delivery.p99)} ms, max ${f(r.delivery.max)} ms; ` +
    `send answer p50 ${f(r.ack.p50)} ms` +
    (r.undelivered ? `; ${r.undelivered} not delivered` : '')
  );
}

function relaySwitchesPerMessage(step: RateResult): string {
  const switches = step.cpu.find((u) => u.name === 'relay')?.switches;
  return typeof switches === 'number' && step.acked > 0 ? (switches / step.acked).toFixed(1) : '?';
}

function printResults(results: BenchResults): void {
  console.log(mainTable(results));
  if (results.sustained?.steps.length) {
    console.log('\nCPU per acknowledged message by process (share of one core); * = shared server');
    console.log(cpuTable(results.sustained.steps));
    console.log(
      '\nContext switches (a thread put to sleep, or preempted) per acknowledged message',
    );
    console.log(switchesTable(results.sustained.steps));
  }
  if (results.relay?.sustained?.steps.length) {
    console.log('\nBare relay: rates tried');
    for (const s of results.relay.sustained.steps)
      console.log(
        `  ${s.target} msg/s: achieved ${Math.round(s.achieved)}, p50/p99 ${s.latency.p50?.toFixed(1)}/${s.latency.p99?.toFixed(1)} ms, ` +
          `CPU relay ${s.cpu.find((u) => u.name === 'relay')?.ms?.toFixed(0)} ms, generator ${s.cpu.find((u) => u.name.startsWith('generator'))?.ms?.toFixed(0)} ms over ${s.cpuSeconds.toFixed(0)} s, ` +
          `relay context switches ${relaySwitchesPerMessage(s)} a message`,
      );
  }
  if (results.connections) {
    const busy = results.connections.stormCpu
      .filter((u) => u.ms !== null && u.ms >= 100)
      .map((u) => `${u.name} ${(u.ms! / 1000).toFixed(1)} s`);
    console.log(`\nCPU during the reconnect storm: ${busy.join(', ') || 'nothing over 0.1 s'}`);
  }
  if (results.store) console.log(`\nHow the store was filled: ${results.store.seed.method}.`);
  if (results.otherLoad?.length)
    console.log(
      `\nOther processes on the machine during the run (CPU s): ${results.otherLoad.map((o) => `${o.comm}[${o.pid}] ${o.cpuSeconds}`).join(', ')}`,
    );
  for (const note of results.notes) console.log(`Note: ${note}`);
}

/** Last resort of the clean-up: any child process still running gets SIGTERM, then SIGKILL. */
async function stopChildren(): Promise<void> {
  const children = () => readAllStats().filter((s) => s.ppid === process.pid);
  const alive = children();
  if (alive.length === 0) return;
  const signal = (pid: number, name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // exited meanwhile
    }
  };
  alive.forEach((c) => signal(c.pid, 'SIGTERM'));
  const deadline = Date.now() + 10_000;
  while (children().length > 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 200));
  children().forEach((c) => signal(c.pid, 'SIGKILL'));
}

await main();

/** The (first) notification worker's /metrics page, if it serves one. */
function notificationMetricsUrl(target: SystemTarget): string | null {
  const worker = target.system.workerList().find((w) => w.name.startsWith('notification'));
  return worker ? target.system.metricsUrl(worker) : null;
}
