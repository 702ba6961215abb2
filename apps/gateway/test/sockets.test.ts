import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { ExpiryClock } from '../src/sockets/expiry.js';
import { SocketLiveness } from '../src/sockets/liveness.js';

/** Stand-ins for sockets: the clock only keeps them and hands them back. */
const fakeSocket = (name: string) => ({ name }) as unknown as WebSocket;
const nameOf = (s: WebSocket) => (s as unknown as { name: string }).name;

test(
  'the expiry clock closes each socket once its second has passed, earliest first, and never one forgotten',
  { timeout: 15_000 },
  async () => {
    const expired: Array<{ name: string; at: number }> = [];
    const clock = new ExpiryClock((s) => expired.push({ name: nameOf(s), at: Date.now() }));
    const now = Math.floor(Date.now() / 1000);
    const [a, b, c, d, past] = ['a', 'b', 'c', 'd', 'past'].map(fakeSocket) as [
      WebSocket,
      WebSocket,
      WebSocket,
      WebSocket,
      WebSocket,
    ];
    clock.add(b, now + 2);
    clock.add(a, now + 1);
    clock.add(c, now + 2);
    clock.add(d, now + 1);
    clock.add(past, now - 5);
    clock.forget(d);
    // Re-adding moves a socket (a refreshed token): c now expires later than b.
    clock.add(c, now + 3);
    await new Promise((r) => setTimeout(r, (now + 3) * 1000 - Date.now() + 300));
    clock.stop();
    assert.deepEqual(
      expired.map((e) => e.name),
      ['past', 'a', 'b', 'c'],
    );
    const expectedSecond: Record<string, number> = { a: now + 1, b: now + 2, c: now + 3 };
    for (const e of expired.filter((x) => x.name !== 'past'))
      assert.ok(
        e.at >= expectedSecond[e.name]! * 1000,
        `${e.name} closed before its token expired`,
      );
  },
);

test(
  'a silent socket is pinged, then dropped; one that answers PING stays open',
  { timeout: 15_000 },
  async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(wss, 'listening');
    const sockets = new Set<WebSocket>();
    const liveness = new SocketLiveness(sockets, { pingAfterMs: 200, pongWaitMs: 100 });
    wss.on('connection', (socket) => {
      sockets.add(socket);
      liveness.watch(socket);
      socket.on('close', () => {
        sockets.delete(socket);
        liveness.forget(socket);
      });
    });
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    try {
      const silent = new WebSocket(url);
      const answering = new WebSocket(url);
      const pings = { silent: 0, answering: 0 };
      silent.on('message', (data) => {
        if ((data as Buffer).toString() === 'PING') pings.silent++;
      });
      answering.on('message', (data) => {
        if ((data as Buffer).toString() !== 'PING') return;
        pings.answering++;
        answering.send('PONG');
      });
      await Promise.all([once(silent, 'open'), once(answering, 'open')]);

      const [code] = (await once(silent, 'close')) as [number];
      assert.equal(pings.silent, 1, 'pinged once before being dropped');
      assert.equal(code, 1006, 'terminated, no close handshake');
      // The answering one outlives several ping rounds.
      await new Promise((r) => setTimeout(r, 1_000));
      assert.equal(answering.readyState, WebSocket.OPEN);
      assert.ok(pings.answering >= 2, `pinged ${pings.answering} times`);
      answering.close();
    } finally {
      liveness.stop();
      wss.close();
    }
  },
);
