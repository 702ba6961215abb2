import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { upgradeRequestFacts } from '../src/sockets/upgrade-request.js';
import { bearerToken, clientIp } from '../src/http-headers.js';

/** The upgrade request a real WebSocket client sends, as node:http parses it. */
async function upgradeRequest(headers: Record<string, string>): Promise<IncomingMessage> {
  const server = createServer();
  const received = new Promise<IncomingMessage>((resolve) =>
    server.on('upgrade', (req: IncomingMessage, socket) => {
      resolve(req);
      socket.destroy();
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new WebSocket(`ws://127.0.0.1:${port}/trpc?connectionParams=1`, { headers });
  client.on('error', () => undefined); // the server drops it once the request is read
  try {
    return await received;
  } finally {
    client.terminate();
    server.close();
  }
}

test('a socket keeps the URL, method, socket and only the headers its calls read', async () => {
  const req = await upgradeRequest({
    authorization: 'Bearer abc.def',
    'x-forwarded-for': '203.0.113.9, 10.0.0.1',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    cookie: 'session=secret',
    'user-agent': 'bench',
  });
  const facts = upgradeRequestFacts(req);
  assert.equal(facts.url, '/trpc?connectionParams=1');
  assert.equal(facts.method, 'GET');
  assert.equal(facts.socket, req.socket);
  assert.deepEqual(Object.keys(facts.headers).sort(), [
    'authorization',
    'host',
    'traceparent',
    'x-forwarded-for',
  ]);
  assert.equal(facts.headers.host, req.headers.host);
  // What the context is built from reads the same from the facts as from the request.
  assert.equal(bearerToken(facts), 'abc.def');
  assert.equal(clientIp(facts, true), '203.0.113.9');
  assert.equal(clientIp(facts, false), clientIp(req, false));
  assert.equal(facts.headers.cookie, undefined);
});
