import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './stack-env.js';

export interface NginxOptions {
  /** Where nginx listens (on 127.0.0.1). */
  port: number;
  /** The gateways' ports (on 127.0.0.1). */
  gateways: number[];
  /** The built web app served at `/`. */
  staticDir: string;
  /** Where the config, pid, temp files and logs go (made if missing). */
  dir: string;
}

/** Replaces `pattern` in `text`, failing loudly when deploy/nginx.conf no longer has it. */
function swap(text: string, pattern: RegExp, replacement: string): string {
  if (!pattern.test(text))
    throw new Error(
      `deploy/nginx.conf changed: ${String(pattern)} not found (tests/support/nginx.ts)`,
    );
  return text.replace(pattern, replacement);
}

/**
 * deploy/nginx.conf — the production rules: static app, /trpc proxy with WebSocket upgrade,
 * request ids, security headers, body limit, rate-limit zones — for gateways on this machine:
 * upstream servers on 127.0.0.1, files under `dir`, one worker process. Two local differences,
 * both because every local client is 127.0.0.1: the per-IP rates are lifted (tests sign up
 * many users), and the sticky key is the client's token (`Authorization`) for HTTP while
 * WebSockets (whose token travels inside the socket) go round-robin, so users spread over
 * the gateways instead of all hashing to one.
 */
export function clusterNginxConfig(opts: NginxOptions): string {
  let conf = readFileSync(path.join(ROOT, 'deploy/nginx.conf'), 'utf8');
  conf = swap(conf, /^worker_processes .*;$/m, 'worker_processes 1;');
  conf = swap(conf, /^pid .*;$/m, `pid ${opts.dir}/nginx.pid;`);
  for (const kind of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
    conf = swap(
      conf,
      new RegExp(`${kind}_temp_path \\S+;`),
      `${kind}_temp_path ${opts.dir}/tmp-${kind};`,
    );
  conf = swap(conf, /access_log \/dev\/stdout main;/, `access_log ${opts.dir}/access.log main;`);
  conf = swap(conf, /error_log \/dev\/stderr warn;/, `error_log ${opts.dir}/error.log warn;`);
  conf = swap(conf, /rate=20r\/s;/, 'rate=100000r/s;');
  conf = swap(conf, /rate=5r\/m;/, 'rate=100000r/s;');
  const servers = opts.gateways.map(
    (p) => `    server 127.0.0.1:${p} max_fails=3 fail_timeout=10s;`,
  );
  conf = swap(
    conf,
    /upstream gateway \{[\s\S]*?\n {2}\}/,
    [
      'map $http_upgrade $gateway_upstream {',
      '    default gateway;',
      '    websocket gateway_sockets;',
      '  }',
      '',
      '  upstream gateway {',
      '    hash $http_authorization consistent;',
      ...servers,
      '    keepalive 32;',
      '  }',
      '',
      '  upstream gateway_sockets {',
      ...servers,
      '  }',
    ].join('\n'),
  );
  conf = swap(conf, /listen 8080;/, `listen 127.0.0.1:${opts.port};`);
  conf = swap(conf, /root \/usr\/share\/nginx\/html;/, `root ${opts.staticDir};`);
  // The /trpc location (HTTP and WebSocket) picks its upstream by the Upgrade header.
  conf = swap(
    conf,
    /(location \/trpc \{[^}]*?)proxy_pass http:\/\/gateway;/,
    '$1proxy_pass http://$gateway_upstream;',
  );
  return conf;
}

/** Debian's nginx binary, or a clear error saying how to get it. */
export function nginxBinary(): string {
  for (const candidate of ['/usr/sbin/nginx', 'nginx']) {
    const res = spawnSync(candidate, ['-v'], { encoding: 'utf8' });
    if (res.status === 0) return candidate;
  }
  throw new Error(
    'nginx is not installed: `apt-get install nginx` (npm test, npm run cluster and .ci/run install it as root)',
  );
}

/** NGINX in front of local gateways, as `npm run cluster` and cluster tests run it. */
export class NginxProxy {
  private child: ChildProcess | null = null;
  private output = '';

  constructor(readonly opts: NginxOptions) {}

  static tempDir(): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'chat-nginx-'));
    // mkdtemp makes it 0700: nginx's workers (`nobody` under a root master) must reach the
    // temp folders inside, where they buffer large bodies and answers.
    chmodSync(dir, 0o755);
    return dir;
  }

  get url(): string {
    return `http://127.0.0.1:${this.opts.port}`;
  }

  async start(): Promise<void> {
    const nginx = nginxBinary();
    mkdirSync(this.opts.dir, { recursive: true });
    const conf = path.join(this.opts.dir, 'nginx.conf');
    writeFileSync(conf, clusterNginxConfig(this.opts));
    const check = spawnSync(nginx, ['-t', '-q', '-p', this.opts.dir, '-c', conf], {
      encoding: 'utf8',
    });
    if (check.status !== 0) throw new Error(`nginx -t failed:\n${check.stderr}`);
    const child = spawn(nginx, ['-p', this.opts.dir, '-c', conf, '-g', 'daemon off;'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c: Buffer) => (this.output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (this.output += c.toString()));
    this.child = child;
    const deadline = Date.now() + 10_000;
    while (!(await portOpen(this.opts.port))) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(
          `nginx did not start on ${this.opts.port}:\n${this.output}${this.errors()}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** nginx's error log (warnings, upstream failures). */
  errors(): string {
    try {
      return readFileSync(path.join(this.opts.dir, 'error.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** The upstream address of each proxied request, from the access log (`upstream=...`). */
  upstreams(): string[] {
    try {
      const log = readFileSync(path.join(this.opts.dir, 'access.log'), 'utf8');
      return [...log.matchAll(/upstream=(\S+)/g)].map((m) => m[1]!);
    } catch {
      return [];
    }
  }

  async stop(removeDir = false): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    }
    if (removeDir) rmSync(this.opts.dir, { recursive: true, force: true });
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
