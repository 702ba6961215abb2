/**
 * Step 5: N idle connections to one gateway (authenticated WebSocket + events.stream):
 * the gateway's RSS per connection, then a reconnect storm — every socket dropped at
 * once and reconnected at once with its lastEventId — timed until all are subscribed.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { mapLimit, pollUntil, sleep } from '../async.js';
import { cpuBetween, snapshotCpu, type CpuUsage, type ProcessGroup } from '../cpu-meter.js';
import { DeliveryTracker } from '../deliveries.js';
import { collectGarbage, writeHeapSnapshot } from '../inspector.js';
import {
  ConnectedUsers,
  pairUp,
  registerUsers,
  waitResponsive,
  type BenchUser,
} from '../population.js';
import { scrape, total } from '../../support/metrics.js';
import { readRssKib } from '../proc.js';
import { summarize, type Summary } from '../stats.js';
import { sendTracked } from './send.js';

export interface ConnectionsResult {
  connections: number;
  /** Users behind the sockets (fewer than sockets when sign-ups ran out of time). */
  distinctUsers: number;
  registerSeconds: number;
  registered: number;
  connectSeconds: number;
  /** Sockets opened and subscribed per second (at most `concurrency` opening at a time). */
  connectPerSecond: number;
  /** After connecting: until a worker-served call (`user.me`) answered within 1 s again. */
  backlogAfterConnectSeconds: number;
  memoryBefore: GatewayMemory;
  memoryAfter: GatewayMemory;
  /** Gateway RSS growth per connection, both readings taken after a full GC. */
  perConnectionKib: number | null;
  /** Live JS heap growth per connection (after a full GC). */
  heapPerConnectionKib: number | null;
  /** Sockets that had a lastEventId to resume from when the storm started. */
  withLastEventId: number;
  storm: {
    /** Until the last socket was subscribed again (null: not all made it in time). */
    seconds: number | null;
    resubscribed: number;
    failedAttempts: number;
    within20s: number;
    /** From the reconnect until a worker-served call answered within 1 s again. */
    backlogSeconds: number | null;
  };
  /** CPU of the system's processes from the drop until every socket was back. */
  stormCpu: CpuUsage[];
  /** `presence.changed` events handled from the drop until the workers answered promptly. */
  presenceChangesInStorm: number | null;
  /** Messages right after the storm: send → partner, one at a time. */
  probeAfterStorm: Summary;
  generatorRssMib: number;
}

export interface ConnectionsOptions {
  count: number;
  /** Gateway under test (a fresh one: its memory holds nothing but these sockets). */
  url: string;
  pid: number;
  /** Its `--inspect` port, to force a garbage collection before reading memory. */
  inspectPort: number | null;
  /** Where the extra users sign up (not the gateway under test). */
  registerUrl: string;
  cpuGroups: readonly ProcessGroup[];
  /** Users that exist already (reused), with where their last stream left off. */
  existing: readonly BenchUser[];
  existingConversations: readonly string[];
  existingLastEventIds: ReadonlyArray<string | null>;
  registerConcurrency: number;
  registerBudgetSeconds: number;
  connectConcurrency: number;
  stormTimeoutMs: number;
  heapSnapshotDir: string | null;
  /** The notification worker's /metrics: how many presence changes it fanned out in the storm. */
  presenceMetricsUrl: string | null;
  log: (line: string) => void;
}

export async function measureConnections(options: ConnectionsOptions): Promise<ConnectionsResult> {
  const { log } = options;
  const reuse = options.existing.slice(0, options.count - (options.count % 2));
  const extraCount = options.count - reuse.length;
  log(`  registering ${extraCount} more users (for at most ${options.registerBudgetSeconds} s)`);
  const registered = await registerUsers([options.registerUrl], extraCount, {
    firstIndex: 1_000_000,
    concurrency: options.registerConcurrency,
    budgetSeconds: options.registerBudgetSeconds,
    log,
  });
  const extra = registered.value.slice(0, registered.value.length - (registered.value.length % 2));
  const distinct = [...reuse, ...extra];
  if (distinct.length < options.count)
    log(
      `  ! only ${distinct.length} distinct users in time (${(registered.value.length / registered.seconds).toFixed(0)} sign-ups/s): ` +
        `${options.count} sockets for ${distinct.length} users, some with several sockets`,
    );
  // Socket i belongs to distinct user i mod n: beyond n, users get more sockets.
  const users = Array.from({ length: options.count }, (_, i) => ({
    ...distinct[i % distinct.length]!,
    index: i,
    url: options.url,
  }));
  const conn = new ConnectedUsers(users, [], {
    autoReconnect: false,
    lastEventIds: users.map((_, i) => options.existingLastEventIds[i % distinct.length] ?? null),
  });
  try {
    const memoryBefore = await gatewayMemory(options.pid, options.inspectPort);
    await snapshot(options, 'before', log);
    log(`  connecting ${users.length} sockets to ${options.url}`);
    const connectSeconds = await conn.connectAll({
      concurrency: options.connectConcurrency,
      timeoutMs: Math.max(120_000, users.length * 20),
      log,
    });
    // Each socket queued a presence update: pairing waits until workers answer promptly.
    const drained = await waitResponsive(users[0]!, { fastMs: 1_000, timeoutMs: 300_000 });
    log(`  workers answer promptly again after ${drained.seconds.toFixed(1)} s`);
    // New direct chats give every new user a stored event to resume from.
    const pairs = await pairUp(extra, { concurrency: options.registerConcurrency, log });
    const byUser = [...options.existingConversations.slice(0, reuse.length), ...pairs.value];
    conn.conversations = users.map((_, i) => byUser[i % distinct.length]!);
    const withId = () => conn.sockets.filter((s) => s.lastEventId !== null).length;
    await pollUntil(() => withId() === users.length, 60_000, 200);
    const memoryAfter = await gatewayMemory(options.pid, options.inspectPort);
    await snapshot(options, `after-${users.length}`, log);
    const generatorRssMib = process.memoryUsage().rss / 2 ** 20;
    const perConnection = (a: number | null, b: number | null) =>
      a !== null && b !== null ? (b - a) / users.length : null;
    const perConnectionKib = perConnection(memoryBefore.rssKib, memoryAfter.rssKib);
    const heapPerConnectionKib = perConnection(memoryBefore.heapKib, memoryAfter.heapKib);
    log(
      `  ${users.length} connected in ${connectSeconds.toFixed(1)} s; gateway RSS ` +
        `${mib(memoryBefore.rssKib)} → ${mib(memoryAfter.rssKib)} MiB after a full GC ` +
        `(${perConnectionKib?.toFixed(1)} KiB each; JS heap ${heapPerConnectionKib?.toFixed(1)} KiB each; ` +
        `RSS before that GC ${mib(memoryAfter.rawRssKib)} MiB; V8 heap committed ` +
        `${mib(memoryBefore.heapCommittedKib)} → ${mib(memoryAfter.heapCommittedKib)} MiB)`,
    );

    const withLastEventId = withId();
    log(
      `  reconnect storm: dropping ${users.length} sockets (${withLastEventId} with lastEventId)`,
    );
    const presenceBefore = await presenceChanges(options.presenceMetricsUrl);
    const cpuBefore = snapshotCpu(options.cpuGroups);
    conn.sockets.forEach((s) => s.drop());
    await sleep(1_000);
    const storm = await reconnectAll(conn, options.stormTimeoutMs, log);
    const stormCpu = cpuBetween(options.cpuGroups, cpuBefore, snapshotCpu(options.cpuGroups));
    const probeAfterStorm = await probe(conn);
    const afterStorm = await waitResponsive(users[0]!, { fastMs: 1_000, timeoutMs: 300_000 });
    storm.backlogSeconds = (storm.seconds ?? 0) + afterStorm.seconds;
    const presenceAfter = await presenceChanges(options.presenceMetricsUrl);
    const presenceChangesInStorm =
      presenceBefore === null || presenceAfter === null ? null : presenceAfter - presenceBefore;
    // Each is a profile write and a fan-out: users whose return outlasted their offline grace.
    if (presenceChangesInStorm !== null)
      log(`  presence changes announced from the drop until then: ${presenceChangesInStorm}`);
    log(
      `  workers answer promptly again ${afterStorm.seconds.toFixed(1)} s after the last resubscription`,
    );
    log(
      storm.seconds === null
        ? `  ! only ${storm.resubscribed}/${users.length} resubscribed within ${options.stormTimeoutMs / 1000} s`
        : `  all ${users.length} resubscribed in ${storm.seconds.toFixed(1)} s`,
    );
    return {
      connections: users.length,
      distinctUsers: distinct.length,
      registerSeconds: registered.seconds,
      registered: registered.value.length,
      connectSeconds,
      connectPerSecond: users.length / connectSeconds,
      backlogAfterConnectSeconds: drained.seconds,
      memoryBefore,
      memoryAfter,
      perConnectionKib,
      heapPerConnectionKib,
      withLastEventId,
      storm,
      stormCpu,
      presenceChangesInStorm,
      probeAfterStorm,
      generatorRssMib,
    };
  } finally {
    conn.closeAll();
  }
}

/** presence.changed events the notification worker handled so far (null if unreadable). */
async function presenceChanges(url: string | null): Promise<number | null> {
  if (url === null) return null;
  try {
    return total(await scrape(url), 'event_handler_duration_seconds_count', {
      type: 'presence.changed',
    });
  } catch {
    return null;
  }
}

async function reconnectAll(
  conn: ConnectedUsers,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<ConnectionsResult['storm']> {
  const t0 = performance.now();
  const deadline = t0 + timeoutMs;
  let failedAttempts = 0;
  const doneAt: number[] = [];
  const progress = setInterval(
    () =>
      log(
        `  storm: ${doneAt.length}/${conn.size} resubscribed after ${((performance.now() - t0) / 1000).toFixed(0)} s`,
      ),
    5_000,
  );
  try {
    await mapLimit(conn.sockets, conn.size, async (socket) => {
      while (performance.now() < deadline) {
        try {
          await socket.connect(Math.max(1_000, deadline - performance.now()));
          doneAt.push(performance.now() - t0);
          return;
        } catch {
          failedAttempts++;
          await sleep(250);
        }
      }
    });
  } finally {
    clearInterval(progress);
  }
  const all = doneAt.length === conn.size;
  return {
    seconds: all ? Math.max(...doneAt) / 1000 : null,
    resubscribed: doneAt.length,
    failedAttempts,
    within20s: doneAt.filter((ms) => ms <= 20_000).length,
    backlogSeconds: null,
  };
}

/** Five messages in different pairs, one at a time, over the storm's own sockets. */
async function probe(conn: ConnectedUsers): Promise<Summary> {
  const tracker = new DeliveryTracker(conn.size);
  conn.handler = tracker.onEvent;
  const latencies: number[] = [];
  try {
    for (let k = 0; k < 5; k++) {
      const sender = 2 * Math.floor((k * conn.size) / 10);
      const { tracked } = sendTracked(
        conn,
        tracker,
        sender,
        conn.conversations[sender]!,
        sender ^ 1,
        k,
      );
      if (await tracker.waitComplete(tracked.clientId, 30_000))
        latencies.push(tracked.firstAt! - tracked.sentAt);
    }
  } finally {
    conn.handler = null;
  }
  return summarize(latencies);
}

export interface GatewayMemory {
  /** RSS as found (it includes garbage not yet collected). */
  rawRssKib: number | null;
  /** RSS after a forced full GC (null without an inspector port). */
  rssKib: number | null;
  heapKib: number | null;
  /** What V8 holds for its heap after that GC (used or not): RSS beyond it is native memory. */
  heapCommittedKib: number | null;
}

async function snapshot(options: ConnectionsOptions, name: string, log: (line: string) => void) {
  if (options.heapSnapshotDir === null || options.inspectPort === null) return;
  mkdirSync(options.heapSnapshotDir, { recursive: true });
  const path = join(options.heapSnapshotDir, `gateway-${name}.heapsnapshot`);
  await writeHeapSnapshot(options.inspectPort, path);
  log(`  heap snapshot: ${path}`);
}

/** RSS as it is, then a forced full GC and RSS + live heap (without inspector: RSS only). */
async function gatewayMemory(pid: number, inspectPort: number | null): Promise<GatewayMemory> {
  const rawRssKib = await steadyRssKib(pid);
  if (inspectPort === null)
    return { rawRssKib, rssKib: rawRssKib, heapKib: null, heapCommittedKib: null };
  const heap = await collectGarbage(inspectPort);
  await sleep(2_000);
  return {
    rawRssKib,
    rssKib: readRssKib(pid),
    heapKib: heap.usedBytes / 1024,
    heapCommittedKib: heap.totalBytes / 1024,
  };
}

/** Median of five RSS readings a second apart, after the process had 3 s to calm down. */
async function steadyRssKib(pid: number): Promise<number | null> {
  await sleep(3_000);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const rss = readRssKib(pid);
    if (rss !== null) samples.push(rss);
    await sleep(1_000);
  }
  samples.sort((a, b) => a - b);
  return samples.length ? samples[Math.floor(samples.length / 2)]! : null;
}

const mib = (kib: number | null) => (kib === null ? '?' : (kib / 1024).toFixed(0));
