/** The bare relay as a process: `PORT=… node --import tsx tests/bench/relay/server.ts`. */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { relayRouter } from './router.js';

const port = Number(process.env.PORT ?? 0);
const bearer = (header: string | undefined) => header?.replace(/^Bearer\s+/i, '') || null;

const http = createHTTPHandler({
  router: relayRouter,
  basePath: '/trpc/',
  createContext: ({ req }) => ({ userId: bearer(req.headers.authorization) }),
});
const server = createServer((req, res) => {
  if (req.url === '/health' || req.url === '/ready') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  http(req, res);
});
const wss = new WebSocketServer({ server, path: '/trpc' });
const handler = applyWSSHandler({
  wss,
  router: relayRouter,
  keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 10_000 },
  createContext: ({ info }) => {
    const token = (info.connectionParams as { token?: unknown } | null)?.token;
    return { userId: typeof token === 'string' ? token : null };
  },
});

server.listen(port, '127.0.0.1', () => console.log(`relay listening on ${port}`));
const stop = () => {
  handler.broadcastReconnectNotification();
  wss.clients.forEach((c) => c.terminate());
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2_000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
