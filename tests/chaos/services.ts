import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { freePort, ServiceProcess } from '../support/process.js';

export type ServiceName = 'gateway' | 'auth' | 'user' | 'chat' | 'notification';
const WORKERS = ['auth', 'user', 'chat', 'notification'] as const;

/**
 * The gateway and the four workers as processes, each with its /ready URL and a log file.
 * A process that exits while nobody stopped it is reported once and started again.
 */
export class Services {
  private readonly procs = new Map<ServiceName, ServiceProcess>();
  private readonly readyUrls = new Map<ServiceName, string>();
  /** Processes the suite stopped on purpose (not restarted by the watchdog). */
  private readonly held = new Set<ServiceName>();
  private watchdog: NodeJS.Timeout | null = null;
  gatewayUrl = '';

  private constructor() {}

  static async create(env: Record<string, string>, logDir: string): Promise<Services> {
    mkdirSync(logDir, { recursive: true });
    const services = new Services();
    const gatewayPort = await freePort();
    services.gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    services.add(
      'gateway',
      ['apps/gateway/dist/main.js'],
      { ...env, PORT: String(gatewayPort), PUBLIC_URL: services.gatewayUrl },
      `${services.gatewayUrl}/ready`,
      logDir,
    );
    for (const role of WORKERS) {
      const port = await freePort();
      services.add(
        role,
        ['apps/workers/dist/main.js', role],
        { ...env, HEALTH_PORT: String(port) },
        `http://127.0.0.1:${port}/ready`,
        logDir,
      );
    }
    return services;
  }

  private add(
    name: ServiceName,
    args: string[],
    env: Record<string, string>,
    readyUrl: string,
    logDir: string,
  ): void {
    const label = name === 'gateway' ? name : `${name}-worker`;
    this.procs.set(name, new ServiceProcess(label, args, env, path.join(logDir, `${label}.log`)));
    this.readyUrls.set(name, readyUrl);
  }

  async startAll(): Promise<void> {
    for (const proc of this.procs.values()) proc.start();
    await this.waitAllReady(60_000);
  }

  /** Starts watching for processes that die by themselves; `onExit` hears of each. */
  watch(onExit: (name: ServiceName, status: string) => void): void {
    this.watchdog = setInterval(() => {
      for (const [name, proc] of this.procs) {
        if (proc.running || this.held.has(name)) continue;
        onExit(name, proc.exitStatus ?? '?');
        proc.start();
      }
    }, 500);
  }

  /** kill -9 or SIGTERM; the process stays down until `restart`. */
  async stop(name: ServiceName, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    this.held.add(name);
    await this.procs.get(name)!.stop(signal);
  }

  restart(name: ServiceName): void {
    this.procs.get(name)!.start();
    this.held.delete(name);
  }

  /** True when every process answers 200 on /ready. */
  async allReady(): Promise<boolean> {
    const answers = await Promise.all(
      [...this.readyUrls.values()].map((url) =>
        fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
          (r) => r.ok,
          () => false,
        ),
      ),
    );
    return answers.every(Boolean);
  }

  async waitAllReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await this.allReady())) {
      if (Date.now() > deadline) throw new Error(`not every process ready:\n${this.tails()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** The last log lines of every process (for failure reports). */
  tails(lines = 15): string {
    return [...this.procs.values()]
      .map((p) => `--- ${p.name}${p.running ? '' : ' (not running)'}\n${p.logs(lines)}`)
      .join('\n');
  }

  async stopAll(): Promise<void> {
    if (this.watchdog) clearInterval(this.watchdog);
    for (const name of this.procs.keys()) this.held.add(name);
    await Promise.all([...this.procs.values()].map((p) => p.stop('SIGTERM')));
  }

  /** Last resort on a second Ctrl-C: no waiting. */
  killAll(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    for (const proc of this.procs.values())
      if (proc.pid && proc.running) process.kill(proc.pid, 'SIGKILL');
  }
}
