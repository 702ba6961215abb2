import { createServer, type Server } from 'node:http';
import { Redis } from 'ioredis';
import { Bus, DomainEvents } from '@chat/bus';
import {
  createDispatcher,
  createRpcCaller,
  type RpcCaller,
  type RpcHandler,
  type RpcMethod,
} from '@chat/api';
import type { PartitionControl, ServeOptions } from '@chat/bus';
import { createLogger, onShutdown, redisClientOptions, type Logger } from '@chat/core';
import { connectDb, type Connection } from '@chat/db';
import { startTracing, traceMongoCommands } from '@chat/tracing';
import { loadWorkerEnv, type WorkerEnv } from './env.js';
import { PartitionBalancer } from './partitions/balancer.js';
import { createWorkerMetrics, type WorkerMetrics } from './metrics.js';

/** What every worker gets: config, logs, the bus, Redis and its own database. */
export interface WorkerRuntime {
  name: string;
  env: WorkerEnv;
  log: Logger;
  bus: Bus;
  /** The contract's domain events on the bus: typed publish, checked subscribe. */
  events: DomainEvents;
  /** Typed RPC to other workers, with this process's RPC_TIMEOUT_MS. */
  rpc: RpcCaller;
  redis: Redis;
  db: Connection;
  /** Served at /metrics on HEALTH_PORT; workers add their own to `metrics.registry`. */
  metrics: WorkerMetrics;
  /** Registers cleanup to run on shutdown, before connections close. */
  onStop: (fn: () => Promise<void> | void) => void;
  /** Serves this worker's RPCs (outputs checked against their schemas outside production). */
  serve: (
    handlers: Partial<{ [M in RpcMethod]: RpcHandler<M> }>,
    options?: Omit<ServeOptions, 'service' | 'dispatch'>,
  ) => Promise<PartitionControl | null>;
  /** Shares these partitions with the role's other replicas (see PartitionBalancer) until stop. */
  balance: (control: PartitionControl | null) => Promise<void>;
}

export interface WorkerDefinition {
  name: string;
  /** Database name without the MONGO_DB_PREFIX. */
  database: string;
  /** Have the MongoDB driver emit command events (for metrics of what the worker writes). */
  monitorCommands?: boolean;
  start(rt: WorkerRuntime): Promise<void>;
}

export async function runWorker(def: WorkerDefinition): Promise<void> {
  const env = loadWorkerEnv();
  const log = createLogger({
    service: `${def.name}-worker`,
    level: env.LOG_LEVEL,
    pretty: env.LOG_PRETTY,
  });
  const stops: Array<() => Promise<void> | void> = [];
  const tracing = startTracing(env, `${def.name}-worker`, log);

  const redis = new Redis(env.REDIS_URL, redisClientOptions);
  redis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis error'));
  await redis.connect();

  const db = await connectDb({
    url: env.MONGO_URL,
    dbName: `${env.MONGO_DB_PREFIX}${def.database}`,
    log,
    // Tracing reads the command events too (a span per command inside a trace).
    monitorCommands: def.monitorCommands || tracing.enabled,
  });
  traceMongoCommands(db.getClient());
  const metrics = createWorkerMetrics(def.name);
  const bus = await Bus.connect({
    url: env.AMQP_URL,
    service: def.name,
    log,
    prefetch: env.WORKER_PREFETCH,
    namespace: env.BUS_NAMESPACE,
    observer: metrics.observer,
  });

  const rpc = createRpcCaller({
    call: (route, method, input, meta) => bus.call(route, method, input, meta, env.RPC_TIMEOUT_MS),
  });
  async function balance(control: PartitionControl | null): Promise<void> {
    if (!control) throw new Error(`${def.name}: only partitioned consumers are balanced`);
    const balancer = new PartitionBalancer({
      redis,
      log,
      role: def.name,
      namespace: env.BUS_NAMESPACE,
      control,
      leaseMs: env.PARTITION_LEASE_MS,
    });
    await balancer.start();
    stops.push(() => balancer.stop());
  }

  const rt: WorkerRuntime = {
    name: def.name,
    env,
    log,
    bus,
    events: new DomainEvents(bus),
    rpc,
    redis,
    db,
    metrics,
    onStop: (fn) => stops.push(fn),
    serve: (handlers, options) =>
      bus.serve({
        ...options,
        service: def.name,
        dispatch: createDispatcher(handlers, { validateOutputs: env.NODE_ENV !== 'production' }),
      }),
    balance,
  };
  await def.start(rt);

  const health = env.HEALTH_PORT ? startHealthServer(env.HEALTH_PORT, env.HEALTH_HOST, rt) : null;
  const sampler = env.QUEUE_SAMPLE_INTERVAL_MS
    ? setInterval(() => void sampleQueues(rt), env.QUEUE_SAMPLE_INTERVAL_MS).unref()
    : null;

  onShutdown(log, async () => {
    if (sampler) clearInterval(sampler);
    // Take no new work, finish what is in hand (answered, acked), then hand over and close.
    await bus.drain();
    for (const stop of stops.reverse()) await stop();
    health?.close();
    await bus.close();
    await db.close();
    redis.disconnect();
    await tracing.shutdown();
  });
  log.info({ database: db.name }, `${def.name} worker ready`);
}

/** Consumer lag: how many messages wait in each queue this worker consumes. */
async function sampleQueues(rt: WorkerRuntime): Promise<void> {
  try {
    for (const [queue, ready] of await rt.bus.queueDepths())
      rt.metrics.queueReady.set({ queue }, ready);
  } catch (err) {
    rt.log.debug({ err: (err as Error).message }, 'queue depth sample failed');
  }
}

/** /health: the process runs; /ready: bus, Redis and MongoDB are connected; /metrics. */
function startHealthServer(port: number, host: string, rt: WorkerRuntime): Server {
  const server = createServer((req, res) => {
    const parts = {
      rabbitmq: rt.bus.connected,
      redis: rt.redis.status === 'ready',
      mongodb: Number(rt.db.readyState) === 1,
    };
    if (req.url === '/metrics') {
      for (const [dependency, up] of Object.entries(parts))
        rt.metrics.dependencyUp.set({ dependency }, up ? 1 : 0);
      rt.metrics.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': rt.metrics.registry.contentType }).end(body),
        () => res.writeHead(500).end(),
      );
      return;
    }
    const ready = Object.values(parts).every(Boolean);
    const [status, body] =
      req.url === '/health'
        ? [200, { status: 'ok' }]
        : req.url === '/ready'
          ? [ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', ...parts }]
          : [404, { error: 'not found' }];
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  server.on('error', (err) => {
    rt.log.fatal(
      { err: err.message, port, host },
      'health server cannot listen; set HEALTH_PORT to a free port (and HEALTH_HOST to an address of this machine)',
    );
    process.exit(1);
  });
  server.listen(port, host, () => rt.log.info({ port, host }, 'health server listening'));
  return server;
}
