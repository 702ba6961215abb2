import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createS3Store, type S3FileStore } from '@chat/files';
import { freePort } from './process.js';
import { ROOT } from './stack-env.js';

/** The path of moto_server (tools/s3-server.mjs installs it into .stack/ when missing). */
function motoServerPath(): string {
  const res = spawnSync(process.execPath, ['tools/s3-server.mjs'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 15 * 60_000,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const path = res.stdout?.trim().split('\n').at(-1);
  if (res.status !== 0 || !path)
    throw new Error(
      `moto (the S3 server of the tests) could not be installed (node tools/s3-server.mjs)` +
        (res.error ? `: ${res.error.message}` : ''),
    );
  return path;
}

/**
 * A real S3-protocol server of a test's own: moto in server mode on a free loopback port,
 * in memory (nothing on disk), any access key accepted. `stop()` kills it.
 */
export class S3TestServer {
  private output: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    const keep = (chunk: Buffer) => {
      this.output.push(...chunk.toString().split('\n').filter(Boolean));
      if (this.output.length > 200) this.output.splice(0, this.output.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static async start(): Promise<S3TestServer> {
    const exe = motoServerPath();
    const port = await freePort();
    const child = spawn(exe, ['-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Requests are answered by a region-less server; credentials are not checked.
      env: { ...process.env, AWS_DEFAULT_REGION: 'us-east-1' },
    });
    // A test process that dies without stop() must not leave the server behind.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    const server = new S3TestServer(child, port);
    await server.waitReady();
    return server;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Credentials moto accepts (it accepts any). */
  readonly credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

  private get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  private async waitReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`moto_server exited during start-up:\n${this.logs()}`);
      // Any HTTP answer (ListBuckets) means it is serving.
      const up = await fetch(this.endpoint).then(
        () => true,
        () => false,
      );
      if (up) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(
      `moto_server not ready on ${this.endpoint} after ${timeoutMs} ms:\n${this.logs()}`,
    );
  }

  logs(lines = 30): string {
    return this.output.slice(-lines).join('\n');
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.kill('SIGTERM');
    });
  }
}

/** A moto server with a fresh bucket, the store on it, and the env selecting it for a system. */
export interface S3Bucket {
  server: S3TestServer;
  bucket: string;
  store: S3FileStore;
  /** FILE_STORAGE=s3 and the S3_* variables the gateway and chat worker need. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startS3Bucket(prefix = 'chat-files'): Promise<S3Bucket> {
  const server = await S3TestServer.start();
  const bucket = `${prefix}-${randomBytes(4).toString('hex')}`;
  const store = createS3Store({
    bucket,
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: server.credentials,
  });
  await store.ensureBucket();
  return {
    server,
    bucket,
    store,
    env: {
      FILE_STORAGE: 's3',
      S3_BUCKET: bucket,
      S3_ENDPOINT: server.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: server.credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
    },
    stop: async () => {
      await store.close();
      await server.stop();
    },
  };
}
