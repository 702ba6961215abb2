import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { createRpcCaller, type RpcCaller } from '@chat/api';
import { Bus } from '@chat/bus';
import { createLogger } from '@chat/core';
import { createChatClient, type ChatClient, type ChatClientOptions } from '@chat/sdk';
import { NginxProxy } from './nginx.js';
import { freePort, ServiceProcess } from './process.js';
import { ROOT, stackEnv } from './stack-env.js';
import { dropNamespace } from './drop-namespace.js';

export type WorkerName = 'auth' | 'user' | 'chat' | 'notification';

export interface SystemOptions {
  /** Gateway processes to run (each on its own port); default TEST_GATEWAYS or 1. */
  gateways?: number;
  /** Worker processes to run; default: all that exist. */
  workers?: WorkerName[];
  /** Processes per worker role unless `replicas` says otherwise; default TEST_WORKER_REPLICAS or 1. */
  workerReplicas?: number;
  /**
   * Put NGINX (deploy/nginx.conf's rules) in front of the gateways: `url` and `client()` go
   * through it. Default: TEST_NGINX=1.
   */
  nginx?: boolean;
  /** Extra variables for every process (e.g. lower rate limits). */
  env?: Record<string, string>;
  /** More than one process of a worker role (replicas share its queues and partitions). */
  replicas?: Partial<Record<WorkerName, number>>;
  /** Redis database (1–15) to use and flush; default: one at random. */
  redisDb?: number;
}

export interface TestUser {
  client: ChatClient;
  id: string;
  username: string;
  email: string;
  password: string;
}

/** The offline grace of test systems (PRESENCE_OFFLINE_GRACE_MS). */
export const TEST_OFFLINE_GRACE_MS = 3_000;

/**
 * The whole backend as real processes — auth and user workers, one or more
 * gateways — on the real servers, isolated from other runs by a database
 * prefix and a Redis database of its own.
 */
export class TestSystem {
  /** The first process of each worker role. */
  readonly workers: Partial<Record<WorkerName, ServiceProcess>>;
  /** Every replica of each role, the first being `workers[name]`. */
  readonly replicaSets: Partial<Record<WorkerName, ServiceProcess[]>>;
  readonly gateways: ServiceProcess[] = [];
  /** NGINX in front of the gateways, when started with `nginx`. */
  proxy: NginxProxy | null = null;
  readonly urls: string[] = [];
  readonly env: Record<string, string>;
  private readonly healthUrls = new Map<ServiceProcess, string>();
  private readonly clients: ChatClient[] = [];
  private readonly buses: Bus[] = [];

  private constructor(
    env: Record<string, string>,
    workers: WorkerName[],
    replicas: SystemOptions['replicas'] = {},
    defaultReplicas = 1,
  ) {
    this.env = env;
    this.replicaSets = Object.fromEntries(
      workers.map((name) => [
        name,
        Array.from(
          { length: Math.max(1, replicas[name] ?? defaultReplicas) },
          (_, i) =>
            new ServiceProcess(
              i === 0 ? `${name}-worker` : `${name}-worker-${i + 1}`,
              ['apps/workers/dist/main.js', name],
              env,
            ),
        ),
      ]),
    );
    this.workers = Object.fromEntries(
      Object.entries(this.replicaSets).map(([name, set]) => [name, set[0]]),
    );
  }

  /** Every process of a worker role. */
  replicas(name: WorkerName): ServiceProcess[] {
    return this.replicaSets[name] ?? [];
  }

  /** A running worker process (throws if this system was started without it). */
  worker(name: WorkerName): ServiceProcess {
    const proc = this.workers[name];
    if (!proc) throw new Error(`${name} worker is not part of this test system`);
    return proc;
  }

  private addGateway(port: number, proxyUrl: string | null): void {
    const gateway = new ServiceProcess(
      `gateway-${this.gateways.length + 1}`,
      ['apps/gateway/dist/main.js'],
      {
        ...this.env,
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        ...(proxyUrl
          ? {
              ALLOWED_ORIGINS: `${proxyUrl},http://localhost:${new URL(proxyUrl).port}`,
              TRUST_PROXY: 'true',
            }
          : {}),
      },
    );
    this.gateways.push(gateway);
    this.urls.push(`http://127.0.0.1:${port}`);
    this.healthUrls.set(gateway, `http://127.0.0.1:${port}/ready`);
  }

  static async start(options: SystemOptions = {}): Promise<TestSystem> {
    const servers = stackEnv();
    const redisDb = options.redisDb ?? 1 + Math.floor(Math.random() * 15);
    const redisUrl = `${servers.REDIS_URL.replace(/\/\d*$/, '')}/${redisDb}`;
    const redis = new Redis(redisUrl);
    await redis.flushdb();
    redis.disconnect();

    const dbPrefix = `t${randomBytes(4).toString('hex')}_`;
    const system = new TestSystem(
      {
        ...servers,
        REDIS_URL: redisUrl,
        NODE_ENV: 'test',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
        BCRYPT_COST: '4',
        MONGO_DB_PREFIX: dbPrefix,
        BUS_NAMESPACE: `${dbPrefix}.`,
        RPC_TIMEOUT_MS: '5000',
        // Every test signs up many users from 127.0.0.1; the rate-limit tests lower these again.
        RATE_REGISTER_PER_IP: '100000',
        RATE_LOGIN_FAILURES_PER_IP: '100000',
        RATE_DEFAULT_PER_CONNECTION: '100000',
        // Tests that watch users go offline wait this long, not the default 10 s.
        PRESENCE_OFFLINE_GRACE_MS: String(TEST_OFFLINE_GRACE_MS),
        // Web Push: a VAPID pair of this run's own (push.vapidPublicKey answers its public key).
        ...vapidKeys(),
        ...options.env,
      },
      options.workers ?? DEFAULT_WORKERS,
      options.replicas,
      options.workerReplicas ?? Number(process.env.TEST_WORKER_REPLICAS || 1),
    );
    for (const worker of system.workerList()) {
      const port = await freePort();
      worker.env.HEALTH_PORT = String(port);
      system.healthUrls.set(worker, `http://127.0.0.1:${port}/ready`);
    }
    const nginx = options.nginx ?? process.env.TEST_NGINX === '1';
    const proxyPort = nginx ? await freePort() : null;
    const proxyUrl = proxyPort ? `http://127.0.0.1:${proxyPort}` : null;
    const gateways = options.gateways ?? Number(process.env.TEST_GATEWAYS || 1);
    for (let i = 0; i < gateways; i++) system.addGateway(await freePort(), proxyUrl);
    try {
      await system.startAll();
    } catch (err) {
      // Leave nothing running or stored behind when a process fails to start.
      await system.stop();
      throw err;
    }
    if (proxyPort) {
      system.proxy = new NginxProxy({
        port: proxyPort,
        gateways: system.gateways.map((g) => Number(g.env.PORT)),
        staticDir: `${ROOT}/apps/web/dist`,
        dir: NginxProxy.tempDir(),
      });
      try {
        await system.proxy.start();
      } catch (err) {
        await system.stop();
        throw err;
      }
    }
    return system;
  }

  get dbPrefix(): string {
    return this.env.MONGO_DB_PREFIX!;
  }

  /** Where clients connect: NGINX when it runs, else the first gateway. */
  get url(): string {
    return this.proxy?.url ?? this.urls[0]!;
  }

  private async startAll(): Promise<void> {
    const all = [...this.workerList(), ...this.gateways];
    all.forEach((p) => p.start());
    await Promise.all(all.map((p) => this.waitReadyOnFreePort(p)));
  }

  /**
   * A port freePort found can be taken before the process binds it (by another test file's
   * process, or as the local port of an outgoing connection: both come from the ephemeral
   * range). A process that exits with EADDRINUSE gets a fresh port and starts again.
   */
  private async waitReadyOnFreePort(proc: ServiceProcess): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await proc.waitReady(this.healthUrls.get(proc)!);
      } catch (err) {
        if (attempt >= 3 || !(err as Error).message.includes('EADDRINUSE')) throw err;
        await this.movePort(proc);
        proc.start();
      }
    }
  }

  private async movePort(proc: ServiceProcess): Promise<void> {
    const port = await freePort();
    const gateway = this.gateways.indexOf(proc);
    if (gateway >= 0) {
      proc.env.PORT = String(port);
      proc.env.PUBLIC_URL = `http://127.0.0.1:${port}`;
      this.urls[gateway] = `http://127.0.0.1:${port}`;
    } else {
      proc.env.HEALTH_PORT = String(port);
    }
    this.healthUrls.set(proc, `http://127.0.0.1:${port}/ready`);
  }

  /** Starts one more gateway and waits until it is ready (e.g. a fresh one to measure). */
  async startGateway(
    env: Record<string, string> = {},
  ): Promise<{ gateway: ServiceProcess; url: string }> {
    this.addGateway(await freePort(), this.proxy?.url ?? null);
    const gateway = this.gateways.at(-1)!;
    Object.assign(gateway.env, env);
    gateway.start();
    await gateway.waitReady(this.healthUrls.get(gateway)!);
    return { gateway, url: this.urls.at(-1)! };
  }

  /** Starts a stopped process again and waits until it is ready. */
  async restart(proc: ServiceProcess): Promise<void> {
    await proc.stop();
    proc.start();
    await proc.waitReady(this.healthUrls.get(proc)!);
  }

  workerList(): ServiceProcess[] {
    return Object.values(this.replicaSets).flatMap((set) => set ?? []);
  }

  readyUrl(proc: ServiceProcess): string {
    return this.healthUrls.get(proc)!;
  }

  /** The worker's /metrics page (served beside its readiness check). */
  metricsUrl(proc: ServiceProcess): string {
    return this.readyUrl(proc).replace(/\/ready$/, '/metrics');
  }

  client(options: Partial<ChatClientOptions> = {}): ChatClient {
    const client = createChatClient({ url: this.url, WebSocket, ...options });
    this.clients.push(client);
    return client;
  }

  /** Registers a fresh user and returns a signed-in client. */
  async user(options: Partial<ChatClientOptions> = {}): Promise<TestUser> {
    const suffix = randomBytes(5).toString('hex');
    const username = `u_${suffix}`;
    const email = `${username}@example.test`;
    const password = `pw-${suffix}-secret`;
    const client = this.client(options);
    const session = await client.register({ username, email, password });
    return { client, id: session.user.id, username, email, password };
  }

  /** A bus connection in this system's namespace, for publishing events as a worker would. */
  async connectBus(): Promise<Bus> {
    const bus = await Bus.connect({
      url: this.env.AMQP_URL!,
      service: 'test',
      log: createLogger({ service: 'test', level: 'silent' }),
      namespace: this.env.BUS_NAMESPACE!,
    });
    this.buses.push(bus);
    return bus;
  }

  /** Typed RPC straight to the workers (internal methods, or bypassing the gateway). */
  async connectRpc(timeoutMs = 5_000): Promise<RpcCaller> {
    const bus = await this.connectBus();
    return createRpcCaller({
      call: (route, method, input, meta) => bus.call(route, method, input, meta, timeoutMs),
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.buses.map((b) => b.close()));
    this.clients.forEach((c) => c.close());
    await this.proxy?.stop(true);
    await Promise.all([...this.gateways, ...this.workerList()].map((p) => p.stop()));
    await dropNamespace(this.env).catch((err: Error) =>
      console.error(`test clean-up failed: ${err.message}`),
    );
  }
}

/** Workers started when a test does not choose: every role that is implemented. */
const DEFAULT_WORKERS: WorkerName[] = ['auth', 'user', 'chat', 'notification'];

export const uniqueName = (prefix = 'u') => `${prefix}_${randomBytes(5).toString('hex')}`;

// A plain .mjs (tools run before dependencies are installed): typed here by its use.
const vapidModule = fileURLToPath(new URL('../../tools/lib/vapid.mjs', import.meta.url));
const { generateVapidKeys } = (await import(vapidModule)) as {
  generateVapidKeys: () => { VAPID_PUBLIC_KEY: string; VAPID_PRIVATE_KEY: string };
};

/** A fresh VAPID key pair (P-256, base64url) as the workers' env expects it (tools/lib/vapid.mjs). */
export const vapidKeys = generateVapidKeys;
