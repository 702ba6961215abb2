// Malformed HTTP gets a 4xx that says what is wrong — never a 500, never a crashed gateway.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { rawExchange, request } from '../support/raw-http.js';
import { TestSystem, type TestUser } from '../support/system.js';

const upgrade = (host: string, path = '/trpc') =>
  `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';

/** The JSON body of a raw response. */
const bodyOf = (text: string) =>
  JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as {
    error?: { message: string; data: { code: string; httpStatus: number } };
  };

describe('malformed HTTP', () => {
  let system: TestSystem;
  let port: number;
  let alice: TestUser;
  before(async () => {
    system = await TestSystem.start({ workers: ['auth', 'user'] });
    port = Number(new URL(system.url).port);
    alice = await system.user();
  });
  after(() => system.stop());

  const assertAlive = async () => {
    const res = await fetch(`${system.url}/health`);
    assert.equal(res.status, 200, 'the gateway still answers');
    assert.ok(system.gateways[0]!.running, 'the gateway process still runs');
  };

  test('TRACE, PUT, DELETE, PATCH and unknown methods on /trpc: 405 with Allow', async () => {
    for (const method of ['TRACE', 'PUT', 'DELETE', 'PATCH', 'PROPFIND', 'HEAD']) {
      for (const path of ['/trpc/user.me', '/trpc/auth.login', '/trpc']) {
        const answer = await rawExchange(port, [request(method, path)]);
        assert.equal(answer.status, 405, `${method} ${path}: ${answer.text.slice(0, 80)}`);
        assert.match(answer.text, /\r\nallow: GET, POST, OPTIONS\r\n/i, `${method} ${path}`);
        if (method !== 'HEAD')
          assert.equal(bodyOf(answer.text).error?.data.code, 'METHOD_NOT_SUPPORTED');
      }
    }
    await assertAlive();
  });

  test('a malformed percent-encoding in the path is 400, on /trpc and elsewhere', async () => {
    for (const path of ['/trpc/%E0%A4%A', '/trpc/%', '/trpc/user.me%zz', '/%E0%A4%A']) {
      const answer = await rawExchange(port, [request('GET', path)]);
      assert.equal(answer.status, 400, `${path}: ${answer.text.slice(0, 80)}`);
      assert.equal(bodyOf(answer.text).error?.data.code, 'BAD_REQUEST', path);
    }
    await assertAlive();
  });

  test('a WebSocket upgrade with an unparseable Host is refused with 400, not a crash', async () => {
    for (const host of ['[', 'a b', '[::1']) {
      const answer = await rawExchange(port, [upgrade(host)]);
      assert.equal(answer.status, 400, `Host ${host}: ${answer.text.slice(0, 80)}`);
      await assertAlive();
    }
  });

  test('a batch over 50 calls is refused with 400; 50 calls are answered', async () => {
    const batch = (n: number) => Array.from({ length: n }, () => 'user.me').join(',');
    const headers = { authorization: `Bearer ${alice.client.session!.accessToken}` };
    const ok = await fetch(`${system.url}/trpc/${batch(50)}?batch=1`, { headers });
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as unknown[]).length, 50);
    for (const n of [51, 1500]) {
      const res = await fetch(`${system.url}/trpc/${batch(n)}?batch=1`, { headers });
      assert.equal(res.status, 400, `${n} calls`);
      const body = (await res.json()) as Array<{ error: { message: string } }>;
      assert.match(JSON.stringify(body), /Batch call exceeds maximum size/);
    }
    await assertAlive();
  });

  test('a WebSocket frame with more than 50 calls is refused; 50 are answered', async () => {
    const socket = new WebSocket(`${system.url.replace(/^http/, 'ws')}/trpc`);
    const messages: Array<{ id: unknown; error?: { message: string; data: { code: string } } }> =
      [];
    socket.on('message', (data: Buffer) => {
      const parsed = JSON.parse(data.toString()) as (typeof messages)[number];
      messages.push(parsed);
    });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const frame = (n: number, from: number) =>
      JSON.stringify(
        Array.from({ length: n }, (_, i) => ({
          id: from + i,
          method: 'query',
          params: { path: 'user.me' },
        })),
      );
    socket.send(frame(51, 1000));
    socket.send(frame(50, 1));
    const deadline = Date.now() + 10_000;
    while (messages.length < 51 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    socket.close();
    const refused = messages.filter((m) => m.id === null);
    assert.equal(refused.length, 1, 'one answer refuses the big frame');
    assert.equal(refused[0]!.error?.data.code, 'PARSE_ERROR');
    assert.match(refused[0]!.error.message, /at most 50 calls \(got 51\)/);
    assert.equal(messages.filter((m) => typeof m.id === 'number' && m.id >= 1000).length, 0);
    // The 50-call frame runs: no token on this socket, so each answers UNAUTHORIZED.
    const answered = messages.filter((m) => typeof m.id === 'number' && m.id < 1000);
    assert.equal(answered.length, 50);
    assert.ok(answered.every((m) => m.error?.data.code === 'UNAUTHORIZED'));
  });

  test('oversize headers, broken JSON and a wrong content type are 4xx', async () => {
    const big = await rawExchange(port, [
      request('GET', '/trpc/user.me', [`X-Big: ${'x'.repeat(20_000)}`]),
    ]);
    assert.equal(big.status, 431);
    const login = (body: string, type = 'application/json') =>
      rawExchange(port, [request('POST', '/trpc/auth.login', [`Content-Type: ${type}`], body)]);
    assert.equal((await login('{')).status, 400);
    assert.equal((await login('[]')).status, 400);
    assert.equal((await login('{"identifier":"a","password":"b"}', 'text/plain')).status, 415);
    await assertAlive();
  });
});
