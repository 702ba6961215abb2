import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../support/stack-env.js';

/** The local servers the suite may crash: tools/stack's names. */
export type ServerName = 'redis' | 'rabbitmq' | 'ferretdb' | 'postgres';

/**
 * A stack of servers of the suite's own (tools/stack with STACK_DIR and STACK_PORT_OFFSET):
 * its own data directory and ports, so crashing them never touches the shared servers.
 */
export class PrivateStack {
  readonly dir: string;

  constructor(
    dir: string,
    private readonly portOffset: number,
    private readonly log: (line: string) => void,
  ) {
    this.dir = path.resolve(ROOT, dir);
  }

  /** Stops whatever an earlier (interrupted) run left, and forgets its data (not the FerretDB build). */
  async reset(): Promise<void> {
    await this.cli('down');
    for (const part of [
      'pg',
      'redis',
      'redis-rollback',
      'rabbitmq',
      'logs',
      'state.json',
      'env',
      'ferretdb.pid',
    ])
      rmSync(path.join(this.dir, part), { recursive: true, force: true });
  }

  up = () => this.cli('up');
  down = () => this.cli('down');
  crash = (server: ServerName) => this.cli('crash', server);
  stop = (server: ServerName) => this.cli('stop', server);

  /** Copies Redis's append-only files as they are now (tools/stack keeps them in redis/appendonlydir). */
  keepRedisFiles(): void {
    rmSync(this.redisCopy, { recursive: true, force: true });
    cpSync(this.redisFiles, this.redisCopy, { recursive: true });
  }

  /**
   * After a crash: puts the copy back, so Redis restarts without what was written since —
   * the loss of an fsync window, a lagging replica promoted, a restore from backup.
   */
  rollBackRedisFiles(): void {
    rmSync(this.redisFiles, { recursive: true, force: true });
    renameSync(this.redisCopy, this.redisFiles);
  }

  private get redisFiles(): string {
    return path.join(this.dir, 'redis', 'appendonlydir');
  }

  private get redisCopy(): string {
    return path.join(this.dir, 'redis-rollback');
  }

  /** MONGO_URL, REDIS_URL and AMQP_URL of this stack (after `up`). */
  urls(): Record<'MONGO_URL' | 'REDIS_URL' | 'AMQP_URL', string> {
    const file = path.join(this.dir, 'env');
    if (!existsSync(file)) throw new Error(`${file} is missing: the private stack is not up`);
    const values = Object.fromEntries(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    return {
      MONGO_URL: values.MONGO_URL!,
      REDIS_URL: values.REDIS_URL!,
      AMQP_URL: values.AMQP_URL!,
    };
  }

  private cli(...args: string[]): Promise<void> {
    // Server URLs in the environment would make the stack adopt those (shared) servers.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      STACK_DIR: this.dir,
      STACK_PORT_OFFSET: String(this.portOffset),
      STACK_DOCKER: '0',
      // PostgreSQL as durable as a production store: a crash must not lose acknowledged writes.
      STACK_PG_SYNCHRONOUS_COMMIT: 'on',
    };
    delete env.MONGO_URL;
    delete env.REDIS_URL;
    delete env.AMQP_URL;
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['tools/stack/stack.mjs', ...args], {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      const collect = (chunk: Buffer) => {
        out += chunk.toString();
        for (const line of chunk.toString().split('\n').filter(Boolean)) this.log(line);
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0
          ? resolve()
          : reject(new Error(`stack ${args.join(' ')} failed (${code}):\n${out.slice(-2000)}`)),
      );
    });
  }
}
