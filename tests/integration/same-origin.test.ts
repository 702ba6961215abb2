// A page served by the gateway can always open its socket, at whatever address it was opened
// (127.0.0.1, localhost, a LAN name): same origin = the request's own scheme://Host. Foreign
// origins are still refused with 403, and GET /trpc?socketCheck=… says why.
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { TestSystem } from '../support/system.js';

/** Opens a socket to 127.0.0.1 with the given Host and Origin; 'open' or the refusal status. */
function upgrade(port: number, host: string, origin: string): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/trpc`, { origin, headers: { host } });
    socket.once('open', () => {
      socket.close();
      resolve('open');
    });
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    socket.once('error', reject);
  });
}

describe('WebSocket origin: same origin', () => {
  let system: TestSystem;
  let port: number;
  before(async () => {
    // PUBLIC_URL is http://127.0.0.1:<port>; ALLOWED_ORIGINS lists nothing else.
    system = await TestSystem.start({ workers: ['auth', 'user'], env: { ALLOWED_ORIGINS: '' } });
    port = Number(new URL(system.url).port);
  });
  after(() => system.stop());

  test('the app opened at localhost (not PUBLIC_URL) may open its socket', async () => {
    assert.equal(await upgrade(port, `localhost:${port}`, `http://localhost:${port}`), 'open');
    assert.equal(await upgrade(port, `chat.lan:${port}`, `http://chat.lan:${port}`), 'open');
    assert.equal(await upgrade(port, `127.0.0.1:${port}`, `http://127.0.0.1:${port}`), 'open');
  });

  test('another origin than the address used is still refused with 403', async () => {
    assert.equal(await upgrade(port, `127.0.0.1:${port}`, `http://localhost:${port}`), 403);
    assert.equal(await upgrade(port, `127.0.0.1:${port}`, 'https://evil.example.test'), 403);
    assert.equal(await upgrade(port, `127.0.0.1:${port}`, `https://127.0.0.1:${port}`), 403);
    assert.equal(await upgrade(port, `127.0.0.1:${port}`, 'null'), 403);
  });

  test('X-Forwarded-Proto is ignored without TRUST_PROXY', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/trpc`, {
      origin: `https://127.0.0.1:${port}`,
      headers: { 'x-forwarded-proto': 'https' },
    });
    const status = await new Promise<'open' | number>((resolve) => {
      socket.once('open', () => resolve('open'));
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.once('error', () => resolve(-1));
    });
    socket.terminate();
    assert.equal(status, 403);
  });

  test('GET /trpc?socketCheck=<origin> says whether the socket would open, and why not', async () => {
    // fetch can't set Host: a plain node:http request can.
    const check = (host: string, origin: string) =>
      new Promise<{ allowed: boolean; ownOrigin: string; reason: string | null }>(
        (resolve, reject) => {
          const path = `/trpc?socketCheck=${encodeURIComponent(origin)}`;
          get({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
            assert.equal(res.statusCode, 200);
            let body = '';
            res.on('data', (chunk: Buffer) => (body += chunk.toString()));
            res.on('end', () => resolve(JSON.parse(body) as never));
          }).on('error', reject);
        },
      );
    const same = await check(`localhost:${port}`, `http://localhost:${port}`);
    assert.deepEqual([same.allowed, same.reason], [true, null]);
    const foreign = await check(`127.0.0.1:${port}`, 'https://evil.example.test');
    assert.equal(foreign.allowed, false);
    assert.equal(foreign.ownOrigin, `http://127.0.0.1:${port}`);
    assert.match(foreign.reason ?? '', /evil\.example\.test.*PUBLIC_URL.*ALLOWED_ORIGINS/);
  });
});
