/**
 * What the generator runs against: the whole system (isolated, on the shared stack
 * servers) or the bare relay. Both expose base URLs and the processes whose CPU counts.
 */
import { Redis } from 'ioredis';
import { freePort, ServiceProcess } from '../support/process.js';
import { stackEnv } from '../support/stack-env.js';
import { TestSystem } from '../support/system.js';
import type { ProcessGroup } from './cpu-meter.js';
import { listenerOf, readStat, upstreamsOf } from './proc.js';

export interface Target {
  kind: 'system' | 'relay';
  urls: string[];
  /** Processes whose CPU time the report breaks down (the generator included). */
  cpuGroups: ProcessGroup[];
  /** Process id of the gateway at `urls[i]`. */
  gatewayPid(i: number): number;
  stop(): Promise<void>;
}

export interface SystemTarget extends Target {
  kind: 'system';
  system: TestSystem;
  redisDb: number;
}

const portOf = (url: string, fallback: number) => Number(new URL(url).port || fallback);

/** The generator itself: only its own time (not that of children it reaped). */
const generatorGroup = (): ProcessGroup => ({
  name: 'generator (this process)',
  pid: process.pid,
  tree: false,
});

/** A Redis database no one seems to use right now (tests pick one at random and flush it). */
export async function pickRedisDb(redisUrl: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  try {
    await redis.connect();
    const order = Array.from({ length: 15 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
    for (const db of order) {
      await redis.select(db);
      if ((await redis.dbsize()) === 0) return db;
    }
    return order[0]!;
  } finally {
    redis.disconnect();
  }
}

export async function startSystem(options: {
  gateways: number;
  replicas: number;
  env: Record<string, string>;
}): Promise<SystemTarget> {
  const servers = stackEnv();
  const redisDb = await pickRedisDb(servers.REDIS_URL);
  const system = await TestSystem.start({
    gateways: options.gateways,
    workerReplicas: options.replicas,
    env: options.env,
    redisDb,
  });
  const cpuGroups: ProcessGroup[] = [
    ...system.gateways.map((g) => ({ name: g.name, pid: g.pid!, tree: false })),
    ...system.workerList().map((w) => ({ name: w.name, pid: w.pid!, tree: false })),
  ];
  const server = (name: string, url: string, port: number, tree = false) => {
    const pid = listenerOf(portOf(url, port));
    if (pid === null) {
      console.warn(`  ! no process found listening for ${name} (${url}): its CPU is not counted`);
      return null;
    }
    const comm = readStat(pid)?.comm ?? '?';
    cpuGroups.push({ name: `${name} (${comm})`, pid, tree, shared: true });
    return pid;
  };
  server('redis', servers.REDIS_URL, 6379);
  server('rabbitmq', servers.AMQP_URL, 5672, true);
  const store = server('store', servers.MONGO_URL, 27017);
  // FerretDB keeps its data in PostgreSQL: count the postmaster and all its backends.
  for (const upstream of store === null ? [] : upstreamsOf(store)) {
    const comm = readStat(upstream)?.comm ?? '?';
    cpuGroups.push({ name: `${comm} (all backends)`, pid: upstream, tree: true, shared: true });
  }
  cpuGroups.push(generatorGroup());
  return {
    kind: 'system',
    system,
    redisDb,
    urls: system.urls,
    cpuGroups,
    gatewayPid: (i) => system.gateways[i]!.pid!,
    async stop() {
      await system.stop();
      // The run's event logs can be large: free the Redis database it used.
      const redis = new Redis(system.env.REDIS_URL!, { maxRetriesPerRequest: 2 });
      try {
        await redis.flushdb();
      } finally {
        redis.disconnect();
      }
    },
  };
}

export async function startRelay(): Promise<Target> {
  const port = await freePort();
  const relay = new ServiceProcess('relay', ['--import', 'tsx', 'tests/bench/relay/server.ts'], {
    PORT: String(port),
  });
  relay.start();
  const url = `http://127.0.0.1:${port}`;
  try {
    await relay.waitReady(`${url}/health`, 60_000);
  } catch (err) {
    await relay.stop('SIGKILL');
    throw err;
  }
  return {
    kind: 'relay',
    urls: [url],
    cpuGroups: [{ name: 'relay', pid: relay.pid!, tree: false }, generatorGroup()],
    gatewayPid: () => relay.pid!,
    stop: () => relay.stop(),
  };
}
