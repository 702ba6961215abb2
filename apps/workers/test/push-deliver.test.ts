import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { deliver, type DeliveryOptions } from '../src/notification/push/deliver.js';
import type { Resolver } from '../src/notification/push/ssrf.js';
import type { StoredSubscription } from '../src/notification/push/subscriptions.js';
import { loadWorkerEnv } from '../src/env.js';

// deliver() connects to the address the SSRF guard checked, never to a second DNS answer.
// A plain TCP listener on 127.0.0.1 stands for the push service: it only counts connections
// (and then hangs up or holds them), so no HTTPS needs to succeed here; the integration test
// (tests/integration/push.test.ts) covers real deliveries.
describe('push delivery: checked, pinned, bounded', () => {
  let server: Server;
  let port: number;
  let connections = 0;
  let hold = false;
  const held: Socket[] = [];
  before(async () => {
    server = createServer((socket) => {
      connections++;
      if (hold) held.push(socket);
      else socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(() => {
    held.forEach((s) => s.destroy());
    server.close();
  });

  const env = loadWorkerEnv({ NODE_ENV: 'test' });
  const resolved: string[] = [];
  // `push.test` is a reserved name: no real DNS answers it, only this table.
  const table: Record<string, string> = { 'push.test': '127.0.0.1', 'evil.test': '10.0.0.1' };
  const resolve: Resolver = (host) => {
    resolved.push(host);
    const address = table[host];
    return address
      ? Promise.resolve([{ address, family: 4 }])
      : Promise.reject(new Error('ENOTFOUND'));
  };
  const options = (production: boolean, timeoutMs = 2_000): DeliveryOptions => ({
    vapid: {
      subject: env.VAPID_SUBJECT,
      publicKey: env.VAPID_PUBLIC_KEY,
      privateKey: env.VAPID_PRIVATE_KEY,
    },
    policy: { production, resolve },
    ttlS: 60,
    timeoutMs,
  });
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const subscription = (host: string): StoredSubscription => ({
    endpoint: `https://${host}:${port}/push/x`,
    userId: 'u1',
    keys: { p256dh: ecdh.getPublicKey('base64url'), auth: randomBytes(16).toString('base64url') },
  });

  test('connects to the checked address of a name no real DNS knows (the lookup is pinned)', async () => {
    const before = connections;
    const result = await deliver(subscription('push.test'), '{}', {}, options(false));
    assert.equal(result.outcome, 'failed', 'the listener hangs up: no push service');
    assert.equal(connections, before + 1, 'reached 127.0.0.1 through the checked answer');
    assert.deepEqual(resolved.slice(-1), ['push.test']);
  });

  test('refuses, without connecting, a name that now resolves to a private address', async () => {
    const before = connections;
    const result = await deliver(subscription('evil.test'), '{}', {}, options(false));
    assert.equal(result.outcome, 'refused');
    assert.match(result.detail ?? '', /private/);
    assert.equal(connections, before);
  });

  test('production refuses loopback at send time too', async () => {
    const before = connections;
    const result = await deliver(subscription('127.0.0.1'), '{}', {}, options(true));
    assert.equal(result.outcome, 'refused');
    assert.equal(connections, before);
  });

  test('a push service that never answers fails after the timeout', async () => {
    hold = true;
    const started = Date.now();
    const result = await deliver(subscription('push.test'), '{}', {}, options(false, 300));
    hold = false;
    assert.equal(result.outcome, 'failed');
    assert.ok(Date.now() - started < 5_000, 'bounded by the timeout');
  });
});
