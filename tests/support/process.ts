import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './stack-env.js';

/** A service process of the system under test; its output is kept for failure reports. */
export class ServiceProcess {
  private child: ChildProcess | null = null;
  private output: string[] = [];

  readonly env: Record<string, string>;

  constructor(
    readonly name: string,
    readonly args: string[],
    env: Record<string, string>,
    /** Also append every output line here (long runs: the in-memory tail is short). */
    private readonly logFile = serviceLogFile(name),
  ) {
    this.env = { ...env };
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    this.output = [];
    if (this.logFile)
      appendFileSync(
        this.logFile,
        `=== ${new Date().toISOString()} ${this.name} started by ${path.basename(process.argv[1] ?? '')}\n`,
      );
    // e.g. SERVICE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile every service.
    const nodeArgs = process.env.SERVICE_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const child = spawn(process.execPath, [...nodeArgs, ...this.args], {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.output.push(...chunk.toString().split('\n').filter(Boolean));
      if (this.output.length > 400) this.output.splice(0, this.output.length - 400);
      if (process.env.TEST_SHOW_LOGS) process.stderr.write(`[${this.name}] ${chunk.toString()}`);
      if (this.logFile) appendFileSync(this.logFile, chunk);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.child = child;
  }

  /** How the last run ended: exit code or signal name; null while running or never started. */
  get exitStatus(): string | null {
    if (!this.child || this.running) return null;
    return this.child.signalCode ?? String(this.child.exitCode);
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  logs(lines = 40): string {
    return this.output.slice(-lines).join('\n');
  }

  /** Graceful stop (SIGTERM) or a crash (SIGKILL), waiting for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill(signal);
    });
  }

  /** Polls `url` until 200; fails with the process's last log lines. */
  async waitReady(url: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited during start-up:\n${this.logs()}`);
      const ok = await fetch(url).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`${this.name} not ready at ${url} after ${timeoutMs} ms:\n${this.logs()}`);
  }
}

/**
 * With TEST_LOG_DIR set (npm test sets it), every service's whole output is appended to
 * `<dir>/<name>.log`: a failure seen only in CI can be read afterwards, not just its tail.
 */
function serviceLogFile(name: string): string | undefined {
  const dir = process.env.TEST_LOG_DIR;
  if (!dir) return undefined;
  mkdirSync(dir, { recursive: true });
  return path.join(dir, `${name}.log`);
}

/**
 * Ports handed to the system's processes come from below the kernel's ephemeral range
 * (32768–60999 here, where every outgoing connection takes its local port) and are reserved
 * across the test files running at once by a file per port, created exclusively: two files
 * starting systems together never get the same port, and no client connection takes one
 * between its check and the process's bind.
 */
const FIRST_PORT = 28_100;
const PORT_COUNT = 4_600;
const RESERVATIONS = path.join(tmpdir(), 'chat-test-ports');
const reserved = new Set<string>();
process.once('exit', () => {
  for (const file of reserved) rmSync(file, { force: true });
});

/** A loopback TCP port nobody listens on, reserved for this test process until it exits. */
export async function freePort(): Promise<number> {
  mkdirSync(RESERVATIONS, { recursive: true });
  for (let attempt = 0; attempt < 500; attempt++) {
    const port = FIRST_PORT + Math.floor(Math.random() * PORT_COUNT);
    const file = path.join(RESERVATIONS, String(port));
    if (!reserve(file)) continue;
    if (await canListen(port)) return port;
    release(file);
  }
  throw new Error(`no free port in ${FIRST_PORT}-${FIRST_PORT + PORT_COUNT - 1}`);
}

/** Creates the port's reservation file, or takes over one whose process has exited. */
function reserve(file: string, retakingStale = false): boolean {
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
    reserved.add(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || retakingStale) return false;
    const owner = Number(readFileSync(file, 'utf8'));
    if (owner === process.pid || isAlive(owner)) return false;
    rmSync(file, { force: true });
    return reserve(file, true);
  }
}

function release(file: string): void {
  reserved.delete(file);
  rmSync(file, { force: true });
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
