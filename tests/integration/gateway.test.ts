import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import { closeCodes, type AppRouter } from '@chat/api';
import type { ServiceProcess } from '../support/process.js';
import { TestSystem, uniqueName } from '../support/system.js';
import { rejectsWith } from '../support/errors.js';
import { sleep } from '../support/wait.js';

const LISTED_ORIGIN = 'http://localhost:5173';
const DRAIN_MS = 3_000;

const wsUrl = (base: string, query = '') => `${base.replace(/^http/, 'ws')}/trpc${query}`;

/** Rejects if `promise` has not settled after `ms` (a bound on a wait, not a speed check). */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` until it returns true or `ms` pass. */
async function eventually(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  assert.fail(`${what}: still not true after ${ms} ms`);
}

interface RawSocket {
  socket: WebSocket;
  /** 'open', or the HTTP status of a refused upgrade. */
  opened: Promise<'open' | number>;
  closed: Promise<{ code: number; reason: string }>;
  messages: unknown[];
  /** Resolves with the first received message matching `match`. */
  next(match: (msg: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

/** A plain `ws` socket that records what happens to it. */
function rawSocket(url: string, options: WebSocket.ClientOptions = {}): RawSocket {
  const socket = new WebSocket(url, options);
  const messages: unknown[] = [];
  const waiters: Array<{
    match: (m: Record<string, unknown>) => boolean;
    resolve: (m: Record<string, unknown>) => void;
  }> = [];
  socket.on('error', () => undefined); // failures surface through `opened` / `closed`
  socket.on('message', (data: Buffer) => {
    const text = data.toString();
    let msg: unknown = text;
    try {
      msg = JSON.parse(text);
    } catch {
      // PING/PONG and other plain text
    }
    messages.push(msg);
    if (msg && typeof msg === 'object') {
      for (const w of [...waiters]) {
        if (w.match(msg as Record<string, unknown>)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(msg as Record<string, unknown>);
        }
      }
    }
  });
  const opened = new Promise<'open' | number>((resolve, reject) => {
    socket.once('open', () => resolve('open'));
    socket.once('unexpected-response', (req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      req.destroy();
    });
    socket.once('error', reject);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const next = (match: (msg: Record<string, unknown>) => boolean) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const seen = messages.find(
        (m) => m && typeof m === 'object' && match(m as Record<string, unknown>),
      );
      if (seen) resolve(seen as Record<string, unknown>);
      else waiters.push({ match, resolve });
    });
  return { socket, opened, closed, messages, next };
}

/** tRPC's own WebSocket client, as a browser app would use it. */
function trpcOverWs(baseUrl: string, connectionParams?: Record<string, string>) {
  const client = createWSClient({
    url: wsUrl(baseUrl),
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    ...(connectionParams ? { connectionParams } : {}),
  });
  const api = createTRPCClient<AppRouter>({ links: [wsLink({ client })] });
  return { api, close: () => client.close() };
}

async function getJson(url: string, init?: RequestInit) {
  const res = await fetch(url, init);
  const text = await res.text();
  return {
    res,
    status: res.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
  };
}

const exitCodeOf = (proc: ServiceProcess) =>
  // The harness keeps the child private; its exit code is what this test is about.
  (proc as unknown as { child: ChildProcess | null }).child?.exitCode;

const randomIp = () => `10.${[...randomBytes(3)].join('.')}`;

describe('gateway', () => {
  let system: TestSystem;
  before(async () => {
    system = await TestSystem.start({
      env: { ALLOWED_ORIGINS: LISTED_ORIGIN, SHUTDOWN_DRAIN_MS: String(DRAIN_MS) },
    });
  });
  after(() => system.stop());

  describe('operational endpoints', () => {
    test('/health answers 200 {"status":"ok"}', async () => {
      const { status, body, res } = await getJson(`${system.url}/health`);
      assert.equal(status, 200);
      assert.deepEqual(body, { status: 'ok' });
      assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    });

    test('/ready answers 200 with rabbitmq and redis connected', async () => {
      const { status, body } = await getJson(`${system.url}/ready`);
      assert.equal(status, 200);
      assert.equal(body?.rabbitmq, true);
      assert.equal(body?.redis, true);
    });

    test('/metrics is Prometheus text with procedure durations and the open-socket gauge', async () => {
      await system.user(); // one auth.register call
      const res = await fetch(`${system.url}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      const text = await res.text();
      assert.match(text, /^# TYPE trpc_procedure_duration_seconds histogram$/m);
      const registerLines = text
        .split('\n')
        .filter(
          (l) =>
            l.startsWith('trpc_procedure_duration_seconds_count{') &&
            l.includes('procedure="auth.register"'),
        );
      assert.ok(registerLines.length > 0, 'auth.register is observed');
      assert.ok(
        registerLines.some((l) => l.includes('code="OK"') && Number(l.split(' ').pop()) >= 1),
        `a successful auth.register is counted:\n${registerLines.join('\n')}`,
      );
      assert.match(text, /^# TYPE websocket_open_connections gauge$/m);
    });

    test('websocket_open_connections follows sockets opening and closing', async () => {
      const gauge = async () => {
        const text = await (await fetch(`${system.url}/metrics`)).text();
        const m = text.match(/^websocket_open_connections (\d+)$/m);
        assert.ok(m, 'the gauge has a value');
        return Number(m[1]);
      };
      const before = await gauge();
      const ws = rawSocket(wsUrl(system.url));
      assert.equal(await ws.opened, 'open');
      await eventually(
        async () => (await gauge()) === before + 1,
        5_000,
        'gauge counts the open socket',
      );
      ws.socket.close();
      await ws.closed;
      await eventually(async () => (await gauge()) === before, 5_000, 'gauge drops after close');
    });

    test('an unknown path is 404', async () => {
      const res = await fetch(`${system.url}/no/such/thing`);
      assert.equal(res.status, 404);
      await res.body?.cancel();
    });

    test('security headers are on every response', async () => {
      for (const path of ['/health', '/no/such/thing', '/trpc/user.me']) {
        const res = await fetch(`${system.url}${path}`);
        await res.body?.cancel();
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
        assert.equal(res.headers.get('x-frame-options'), 'DENY', path);
      }
    });
  });

  describe('size limits', () => {
    test('a request body over 64 KiB is refused with 413, and the server keeps answering', async () => {
      const body = JSON.stringify({ identifier: 'someone', password: 'p'.repeat(70 * 1024) });
      assert.ok(Buffer.byteLength(body) > 64 * 1024);
      const res = await fetch(`${system.url}/trpc/auth.login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      assert.equal(res.status, 413);
      await res.body?.cancel();
      assert.equal((await fetch(`${system.url}/health`)).status, 200);
      // …and real calls still work.
      const { client, id } = await system.user();
      assert.equal((await client.api.user.me.query()).id, id);
    });

    test('a body just under the limit is not refused for its size', async () => {
      const body = JSON.stringify({ identifier: 'someone', password: 'p'.repeat(60 * 1024) });
      const { status, body: answer } = await getJson(`${system.url}/trpc/auth.login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      assert.equal(status, 400, 'reaches validation (password max 1024)');
      assert.equal((answer?.error as { data: { code: string } }).data.code, 'BAD_REQUEST');
    });

    test('a WebSocket frame over 64 KiB closes the socket with 1009', async () => {
      const ws = rawSocket(wsUrl(system.url));
      assert.equal(await ws.opened, 'open');
      ws.socket.send(
        JSON.stringify({
          id: 1,
          method: 'query',
          params: { path: 'user.me', input: 'x'.repeat(70 * 1024) },
        }),
      );
      const { code } = await within(ws.closed, 10_000, 'close after an oversized frame');
      assert.equal(code, 1009);
    });
  });

  describe('origins and CORS', () => {
    test('a WebSocket upgrade from an origin not allowed is refused with 403', async () => {
      const ws = rawSocket(wsUrl(system.url), { origin: 'https://evil.example' });
      assert.equal(await within(ws.opened, 10_000, 'upgrade answer'), 403);
    });

    test('clients that reset the connection while being refused do not crash the gateway', async () => {
      const port = Number(new URL(system.url).port);
      const upgrade = (path: string, origin: string) =>
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: ${origin}\r\n\r\n`;
      for (let i = 0; i < 100; i++) {
        await new Promise<void>((resolve) => {
          const s = connect(port, '127.0.0.1', () => {
            s.write(
              i % 2 ? upgrade('/trpc', 'https://evil.example') : upgrade('/elsewhere', system.url),
            );
            s.resetAndDestroy();
            resolve();
          });
          s.on('error', () => resolve());
        });
      }
      await sleep(300);
      assert.equal(
        system.gateways[0]!.running,
        true,
        `gateway died:\n${system.gateways[0]!.logs(20)}`,
      );
      assert.equal((await fetch(`${system.url}/health`)).status, 200);
    });

    test("the app's own origin, a listed origin and no origin may connect", async () => {
      for (const origin of [system.url, LISTED_ORIGIN, undefined]) {
        const ws = rawSocket(wsUrl(system.url), origin ? { origin } : {});
        assert.equal(
          await within(ws.opened, 10_000, `upgrade from ${origin}`),
          'open',
          String(origin),
        );
        ws.socket.close();
        await ws.closed;
      }
    });

    test('a CORS preflight from a listed origin is answered 204 with that origin allowed', async () => {
      const res = await fetch(`${system.url}/trpc/auth.login`, {
        method: 'OPTIONS',
        headers: {
          origin: LISTED_ORIGIN,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
      assert.equal(res.status, 204);
      assert.equal(res.headers.get('access-control-allow-origin'), LISTED_ORIGIN);
      assert.match(res.headers.get('access-control-allow-methods') ?? '', /POST/);
      assert.match(res.headers.get('access-control-allow-headers') ?? '', /authorization/i);
    });

    test('an unlisted origin gets no Access-Control-Allow-Origin, on preflight or call', async () => {
      const preflight = await fetch(`${system.url}/trpc/auth.login`, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });
      await preflight.body?.cancel();
      assert.equal(preflight.headers.get('access-control-allow-origin'), null);
      assert.ok(preflight.status >= 400, `preflight refused, got ${preflight.status}`);
      const call = await fetch(`${system.url}/trpc/user.me`, {
        headers: { origin: 'https://evil.example' },
      });
      await call.body?.cancel();
      assert.equal(call.headers.get('access-control-allow-origin'), null);
    });
  });

  describe('tRPC over WebSocket', () => {
    test('user.me works with connectionParams { token }', async () => {
      const { client, id, username } = await system.user();
      const ws = trpcOverWs(system.url, { token: client.session!.accessToken });
      try {
        const me = await ws.api.user.me.query();
        assert.equal(me.id, id);
        assert.equal(me.username, username);
      } finally {
        await ws.close();
      }
    });

    test('no token, an empty token or a bad token: UNAUTHORIZED on protected procedures', async () => {
      for (const params of [undefined, { token: '' }, { token: 'not.a.token' }]) {
        const ws = trpcOverWs(system.url, params);
        try {
          await rejectsWith(ws.api.user.me.query(), 'UNAUTHORIZED');
        } finally {
          await ws.close();
        }
      }
    });

    test('a public procedure works on a socket without a token', async () => {
      const { username, password, id } = await system.user();
      const ws = trpcOverWs(system.url);
      try {
        const session = await ws.api.auth.login.mutate({ identifier: username, password });
        assert.equal(session.user.id, id);
      } finally {
        await ws.close();
      }
    });

    describe('event streams end with their socket', () => {
      const streamsOpen = async () => {
        const text = await (await fetch(`${system.url}/metrics`)).text();
        const m = text.match(/^event_streams_open (\d+)$/m);
        assert.ok(m, 'the gauge has a value');
        return Number(m[1]);
      };
      /** A socket authenticated by connectionParams, ready for calls. */
      const authedSocket = async (token: string) => {
        const ws = rawSocket(wsUrl(system.url, '?connectionParams=1'));
        assert.equal(await ws.opened, 'open');
        ws.socket.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
        return ws;
      };
      const subscribe = (ws: RawSocket, id: number) =>
        ws.socket.send(
          JSON.stringify({
            id,
            method: 'subscription',
            params: { path: 'events.stream', input: {} },
          }),
        );

      test('the wire protocol: PING, broken frames, a missing id, a query, subscription.stop, lastEventId', async () => {
        const { client, id: userId } = await system.user();
        const before = await streamsOpen();
        const ws = await authedSocket(client.session!.accessToken);
        ws.socket.send('PING');
        await eventually(() => Promise.resolve(ws.messages.includes('PONG')), 5_000, 'PONG');
        // Not JSON, binary, no id: each answered PARSE_ERROR with id null; the socket stays.
        ws.socket.send('{not json');
        ws.socket.send(Buffer.from('{"id":1}'), { binary: true });
        ws.socket.send(JSON.stringify({ id: null, method: 'query', params: { path: 'user.me' } }));
        const parseErrors = () =>
          ws.messages.filter((m) => {
            const answer = m as { id?: unknown; error?: { data?: { code?: string } } };
            return answer.id === null && answer.error?.data?.code === 'PARSE_ERROR';
          }).length;
        await eventually(
          () => Promise.resolve(parseErrors() === 3),
          5_000,
          'three PARSE_ERROR answers',
        );
        assert.ok(
          ws.messages.some((m) => JSON.stringify(m).includes('`id` is required')),
          'the missing id is named',
        );
        ws.socket.send(JSON.stringify({ id: 7, method: 'query', params: { path: 'user.me' } }));
        const me = await within(
          ws.next((m) => m.id === 7),
          10_000,
          'user.me answered',
        );
        assert.equal((me.result as { data?: { id?: string } }).data?.id, userId);
        // lastEventId beside the input: an id from another epoch starts the stream with resync.
        ws.socket.send(
          JSON.stringify({
            id: 8,
            method: 'subscription',
            params: { path: 'events.stream', input: {}, lastEventId: '1-1-1' },
          }),
        );
        await within(
          ws.next((m) => m.id === 8 && (m.result as { type?: string })?.type === 'started'),
          10_000,
          'stream started',
        );
        const first = await within(
          ws.next((m) => m.id === 8 && (m.result as { type?: string })?.type === 'data'),
          10_000,
          'first item',
        );
        assert.equal(
          (first.result as { data?: { data?: { type?: string } } }).data?.data?.type,
          'resync',
        );
        await eventually(async () => (await streamsOpen()) === before + 1, 5_000, 'stream open');
        ws.socket.send(JSON.stringify({ id: 8, method: 'subscription.stop' }));
        await within(
          ws.next((m) => m.id === 8 && (m.result as { type?: string })?.type === 'stopped'),
          10_000,
          'stream stopped',
        );
        await eventually(async () => (await streamsOpen()) === before, 5_000, 'stream ended');
        ws.socket.close();
        await ws.closed;
      });

      test('malformed connectionParams: PARSE_ERROR, then the socket is closed', async () => {
        const ws = rawSocket(wsUrl(system.url, '?connectionParams=1'));
        assert.equal(await ws.opened, 'open');
        ws.socket.send('{"method":"connectionParams","data":{"token":42}}');
        const refused = await within(
          ws.next((m) => m.id === null && m.error !== undefined),
          10_000,
          'connectionParams refused',
        );
        assert.match(JSON.stringify(refused.error), /PARSE_ERROR/);
        await within(ws.closed, 10_000, 'socket closed');
      });

      test('a stream refused after opening it (a duplicate subscription id) ends at once, the first with the socket', async () => {
        const { client } = await system.user();
        const before = await streamsOpen();
        const ws = await authedSocket(client.session!.accessToken);
        subscribe(ws, 1);
        await within(
          ws.next((m) => m.id === 1 && (m.result as { type?: string })?.type === 'started'),
          10_000,
          'first subscription started',
        );
        subscribe(ws, 1);
        const refused = await within(
          ws.next((m) => m.id === 1 && m.error !== undefined),
          10_000,
          'duplicate id refused',
        );
        assert.match(JSON.stringify(refused.error), /Duplicate id/);
        await eventually(
          async () => (await streamsOpen()) === before + 1,
          5_000,
          'only the first stream open while the socket is',
        );
        ws.socket.close();
        await ws.closed;
        await eventually(async () => (await streamsOpen()) === before, 5_000, 'no stream left');
      });

      test('at most 8 streams per socket; sockets closed while their streams open leave none', async () => {
        const { client } = await system.user();
        const token = client.session!.accessToken;
        const before = await streamsOpen();
        const ws = await authedSocket(token);
        for (let id = 1; id <= 9; id++) subscribe(ws, id);
        const refused = await within(
          ws.next((m) => m.id === 9 && m.error !== undefined),
          10_000,
          'ninth stream refused',
        );
        assert.match(JSON.stringify(refused.error), /TOO_MANY_REQUESTS/);
        assert.match(JSON.stringify(refused.error), /At most 8 event streams per connection/);
        assert.match(JSON.stringify(refused.error), /"retryAfterMs":1000/);
        for (let id = 1; id <= 8; id++)
          await within(
            ws.next((m) => m.id === id && (m.result as { type?: string })?.type === 'started'),
            10_000,
            `stream ${id} started`,
          );
        ws.socket.close();
        await ws.closed;
        // Closed at once after asking: tRPC finds the socket closed when the stream opens.
        for (let i = 0; i < 20; i++) {
          const quick = await authedSocket(token);
          subscribe(quick, 1);
          if (i % 2 === 0) quick.socket.terminate();
          else quick.socket.close();
          await quick.closed;
        }
        await eventually(async () => (await streamsOpen()) === before, 5_000, 'no stream left');
      });
    });
  });

  describe('errors', () => {
    test('a BAD_REQUEST answer carries no stack trace or internals', async () => {
      const { status, body } = await getJson(`${system.url}/trpc/auth.register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'X', email: 'nope', password: 'short' }),
      });
      assert.equal(status, 400);
      const error = body?.error as { message: string; data: Record<string, unknown> };
      assert.equal(error.data.code, 'BAD_REQUEST');
      assert.ok(error.data.zodError, 'the validation issues are there');
      assert.equal(
        'stack' in error.data,
        false,
        `no stack in error.data: ${JSON.stringify(error.data)}`,
      );
      assert.doesNotMatch(JSON.stringify(body), /node_modules|\.[mc]?[jt]s:\d+|\\n\s+at /);
    });

    test('a malformed JSON body is a 400 BAD_REQUEST without a stack', async () => {
      const { status, body } = await getJson(`${system.url}/trpc/auth.login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"identifier": ',
      });
      assert.equal(status, 400);
      const error = body?.error as { data: Record<string, unknown> };
      assert.equal(error.data.code, 'BAD_REQUEST'); // tRPC 11 reports an unparsable body this way
      assert.equal('stack' in error.data, false);
      assert.doesNotMatch(JSON.stringify(body), /node_modules|\.[mc]?[jt]s:\d+|\\n\s+at /);
    });
  });

  describe('graceful shutdown', () => {
    test('SIGTERM tells socket clients to reconnect, closes with 1001 and exits 0 within the drain time', async () => {
      const gateway = system.gateways[0]!;
      const { client } = await system.user();
      const ws = rawSocket(wsUrl(system.url, '?connectionParams=1'));
      assert.equal(await ws.opened, 'open');
      ws.socket.send(
        JSON.stringify({
          method: 'connectionParams',
          data: { token: client.session!.accessToken },
        }),
      );
      ws.socket.send(JSON.stringify({ id: 1, method: 'query', params: { path: 'user.me' } }));
      await within(
        ws.next((m) => m.id === 1),
        10_000,
        'user.me answer',
      );

      const started = Date.now();
      const stopped = gateway.stop('SIGTERM');
      const reconnect = within(
        ws.next((m) => m.method === 'reconnect'),
        DRAIN_MS + 5_000,
        'reconnect notification',
      );
      const { code } = await within(ws.closed, DRAIN_MS + 5_000, 'socket close');
      await within(stopped, DRAIN_MS + 8_000, 'gateway exit');
      const elapsed = Date.now() - started;
      try {
        await reconnect;
        assert.equal(code, closeCodes.GOING_AWAY);
        assert.equal(exitCodeOf(gateway), 0, `exit code\n${gateway.logs()}`);
        assert.equal(gateway.running, false);
        // A bound, not a speed check: the process must not hang past its drain (plus slack to exit).
        assert.ok(elapsed < DRAIN_MS + 4_000, `exited after ${elapsed} ms`);
      } finally {
        await system.restart(gateway);
      }
      const { client: after } = await system.user();
      assert.ok((await after.api.user.me.query()).id);
    });

    test('while draining, no new WebSocket is accepted', async () => {
      // The gateway stays up as long as a socket is open (up to the drain time): probe it then.
      const gateway = system.gateways[0]!;
      const ws = rawSocket(wsUrl(system.url));
      assert.equal(await ws.opened, 'open');
      const stopped = gateway.stop('SIGTERM');
      try {
        await within(
          ws.next((m) => m.method === 'reconnect'),
          DRAIN_MS,
          'reconnect notification',
        );
        const late = rawSocket(wsUrl(system.url));
        const answer = await within(
          late.opened.catch(() => 'refused' as const),
          5_000,
          'late upgrade',
        );
        assert.notEqual(answer, 'open', 'no new socket on a draining gateway');
        await ws.closed;
        await stopped;
        assert.equal(exitCodeOf(gateway), 0);
      } finally {
        await system.restart(gateway);
      }
    });
  });
});

describe('gateway: access token expiry on WebSocket', () => {
  let system: TestSystem;
  before(async () => {
    system = await TestSystem.start({ env: { ACCESS_TOKEN_TTL_S: '2' } });
  });
  after(() => system.stop());

  test('the server closes the socket with 4001 when the access token expires', async () => {
    const { username, password, id } = await system.user();
    const ws = rawSocket(wsUrl(system.url, '?connectionParams=1'));
    assert.equal(await ws.opened, 'open');
    const session = await system.client().login({ identifier: username, password });
    const exp = (
      JSON.parse(Buffer.from(session.accessToken.split('.')[1]!, 'base64url').toString()) as {
        exp: number;
      }
    ).exp;
    ws.socket.send(
      JSON.stringify({ method: 'connectionParams', data: { token: session.accessToken } }),
    );
    ws.socket.send(JSON.stringify({ id: 1, method: 'query', params: { path: 'user.me' } }));
    const answer = await within(
      ws.next((m) => m.id === 1),
      5_000,
      'user.me answer',
    );
    assert.equal(
      (answer.result as { data: { id: string } } | undefined)?.data.id,
      id,
      JSON.stringify(answer),
    );

    const { code, reason } = await within(ws.closed, 6_000, 'close at token expiry');
    assert.equal(code, closeCodes.TOKEN_EXPIRED);
    assert.match(reason, /expired/i);
    assert.ok(Date.now() >= exp * 1000 - 250, 'closed because the token expired, not before');
  });
});

describe('gateway: rate limits', () => {
  let system: TestSystem;
  before(async () => {
    system = await TestSystem.start({
      env: {
        RATE_LOGIN_FAILURES_PER_IDENTIFIER: '3',
        RATE_REGISTER_PER_IP: '2',
        RATE_DEFAULT_PER_CONNECTION: '20',
        // Each test speaks from its own address (X-Forwarded-For) so the per-IP limits don't interfere.
        TRUST_PROXY: 'true',
      },
    });
  });
  after(() => system.stop());

  const clientFrom = (ip: string) => system.client({ headers: () => ({ 'x-forwarded-for': ip }) });
  const register = (ip: string) => {
    const username = uniqueName();
    const password = `pw-${username}`;
    return clientFrom(ip)
      .register({ username, email: `${username}@example.test`, password })
      .then((s) => ({ username, password, id: s.user.id, accessToken: s.accessToken }));
  };

  test('after 3 failed logins for an identifier, even the right password is refused with retryAfterMs', async () => {
    const ip = randomIp();
    const alice = await register(ip);
    const bob = await register(ip);
    for (let i = 0; i < 3; i++) {
      await rejectsWith(
        clientFrom(ip).login({ identifier: alice.username, password: 'wrong-password' }),
        'UNAUTHORIZED',
      );
    }
    const limited = await rejectsWith(
      clientFrom(ip).login({ identifier: alice.username, password: alice.password }),
      'TOO_MANY_REQUESTS',
    );
    assert.equal(typeof limited.data.retryAfterMs, 'number');
    assert.ok(limited.data.retryAfterMs! > 0, `retryAfterMs ${limited.data.retryAfterMs}`);
    // Per identifier, not per address: another address is refused for alice too…
    await rejectsWith(
      clientFrom(randomIp()).login({ identifier: alice.username, password: alice.password }),
      'TOO_MANY_REQUESTS',
    );
    // …identifier case doesn't give fresh attempts…
    await rejectsWith(
      clientFrom(ip).login({ identifier: alice.username.toUpperCase(), password: alice.password }),
      'TOO_MANY_REQUESTS',
    );
    // …and another identifier from the same address still signs in.
    const session = await clientFrom(ip).login({
      identifier: bob.username,
      password: bob.password,
    });
    assert.equal(session.user.id, bob.id);
  });

  test('failures below the limit are forgotten after a successful login', async () => {
    const ip = randomIp();
    const carol = await register(ip);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2; i++) {
        await rejectsWith(
          clientFrom(ip).login({ identifier: carol.username, password: 'wrong-password' }),
          'UNAUTHORIZED',
        );
      }
      const session = await clientFrom(ip).login({
        identifier: carol.username,
        password: carol.password,
      });
      assert.equal(session.user.id, carol.id);
    }
  });

  test('registering more than 2 accounts from one address is refused with retryAfterMs', async () => {
    const ip = randomIp();
    await register(ip);
    await register(ip);
    const name = uniqueName();
    const err = await rejectsWith(
      clientFrom(ip).register({
        username: name,
        email: `${name}@example.test`,
        password: 'password123',
      }),
      'TOO_MANY_REQUESTS',
    );
    assert.ok((err.data.retryAfterMs ?? 0) > 0, `retryAfterMs ${err.data.retryAfterMs}`);
    // The refused attempt created nothing: the name is still free, from another address.
    const other = await clientFrom(randomIp()).register({
      username: name,
      email: `${name}@example.test`,
      password: 'password123',
    });
    assert.equal(other.user.username, name);
  });

  test('more than 20 calls in a second on one WebSocket: some are refused with TOO_MANY_REQUESTS', async () => {
    const { accessToken } = await register(randomIp());
    const ws = trpcOverWs(system.url, { token: accessToken });
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 30 }, () => ws.api.user.me.query()),
      );
      const ok = results.filter((r) => r.status === 'fulfilled').length;
      const limited = results.filter(
        (r) =>
          r.status === 'rejected' &&
          (r.reason as { data?: { code?: string } }).data?.code === 'TOO_MANY_REQUESTS',
      );
      assert.ok(ok >= 1 && ok <= 20, `${ok} of 30 succeeded`);
      assert.equal(ok + limited.length, 30, 'every failure is a rate-limit refusal');
      const data = (limited[0] as PromiseRejectedResult).reason as {
        data: { retryAfterMs?: number };
      };
      assert.ok((data.data.retryAfterMs ?? 0) > 0);
      // A second connection has its own budget.
      const fresh = trpcOverWs(system.url, { token: accessToken });
      try {
        assert.ok((await fresh.api.user.me.query()).id);
      } finally {
        await fresh.close();
      }
    } finally {
      await ws.close();
    }
  });
});
