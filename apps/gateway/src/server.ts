import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import { WebSocketServer, type WebSocket } from 'ws';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { appRouter, closeCodes, createRpcCaller, type ApiContext } from '@chat/api';
import type { Bus } from '@chat/bus';
import { AppError, type Logger } from '@chat/core';
import { FileUrlSigner, type FileStore } from '@chat/files';
import { verifyToken } from '@chat/tokens';
import { callTracing } from './call-tracing.js';
import { ExpiryClock } from './sockets/expiry.js';
import { serveTrpcSockets } from './sockets/trpc-sockets.js';
import { upgradeRequestFacts } from './sockets/upgrade-request.js';
import { SocketLiveness } from './sockets/liveness.js';
import type { GatewayEnv } from './env.js';
import {
  bearerToken,
  clientIp,
  handleCors,
  requestIdFrom,
  requestOrigin,
  setSecurityHeaders,
} from './http-headers.js';
import { createFileRoutes } from './files/routes.js';
import { ImageProcessor } from './files/images.js';
import { createMetrics } from './metrics.js';
import { createOriginPolicy } from './origins.js';
import { createRateLimits } from './rate-limits.js';
import { isReadableUrl, refuseUnsupportedMethod, sendTrpcError } from './request-guards.js';
import { answerSocketCheck } from './socket-check.js';
import { createStaticHandler } from './static-files.js';
import { batchLimitedEncoder } from './ws-encoder.js';
import { storedAt } from './events/delivery-lag.js';
import { EventHub } from './events/hub.js';
import { notifyPresence } from './presence/notify.js';
import { PresenceTracker } from './presence/tracker.js';

export interface GatewayDeps {
  env: GatewayEnv;
  log: Logger;
  bus: Bus;
  redis: Redis;
  /** Where uploads' bytes go (GridFS or S3). */
  files: FileStore;
}

export interface Gateway {
  server: Server;
  /** Serves /metrics alone when METRICS_PORT is set (listen on it like `server`). */
  metricsServer: Server | null;
  /** Stops accepting, tells socket clients to reconnect elsewhere, drains, closes. */
  shutdown(): Promise<void>;
}

export function createGateway({ env, log, bus, redis, files }: GatewayDeps): Gateway {
  const metrics = createMetrics();
  const origins = createOriginPolicy(env.PUBLIC_URL, env.ALLOWED_ORIGINS);
  const limits = createRateLimits(redis, env, log);
  const serveStatic = env.STATIC_DIR ? createStaticHandler(env.STATIC_DIR) : null;
  const jwt = { secret: env.JWT_ACCESS_SECRET, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE };
  let shuttingDown = false;
  let inFlight = 0;

  const rpc = createRpcCaller({
    async call(route, method, input, meta) {
      const end = metrics.rpcDuration.startTimer({ method });
      try {
        const out = await bus.call(route, method, input, meta, env.RPC_TIMEOUT_MS);
        end({ outcome: 'ok' });
        return out;
      } catch (err) {
        end({ outcome: err instanceof AppError ? err.code : 'error' });
        throw err;
      }
    },
  });

  async function authenticate(
    token: string | null,
  ): Promise<Pick<ApiContext, 'user' | 'authError'> & { exp?: number }> {
    if (!token) return { user: null };
    try {
      const claims = await verifyToken('access', jwt, token);
      return { user: { id: claims.sub }, exp: claims.exp };
    } catch (err) {
      return { user: null, authError: err instanceof AppError ? err.message : 'Invalid token' };
    }
  }

  const serveFiles = createFileRoutes({
    env,
    log,
    rpc,
    limits,
    files,
    images: new ImageProcessor(),
    signer: new FileUrlSigner(env.FILE_URL_SECRET),
    uploadsInFlight: metrics.uploadsInFlight,
    authenticate: async (token) => (await authenticate(token)).user?.id ?? null,
  });

  const onProcedureDone: ApiContext['onProcedureDone'] = ({
    requestId,
    userId,
    path,
    type,
    durationMs,
    code,
  }) => {
    metrics.procedureDuration.observe({ procedure: path, type, code }, durationMs / 1000);
    if (code !== 'OK') metrics.errors.inc({ code });
    log.info(
      { requestId, userId, procedure: path, code, durationMs: Math.round(durationMs) },
      'procedure',
    );
  };

  // events.stream: replay from the per-user log in Redis, then live (one read loop per gateway).
  const events = new EventHub({
    redis,
    log,
    onDelivered: (event, entry) =>
      metrics.deliveryLag.observe(
        { type: event.type },
        Math.max(0, Date.now() - storedAt(event, entry)) / 1000,
      ),
  });
  events.start();

  // Presence: every authenticated WebSocket counts; the user worker decides the status.
  const presence = new PresenceTracker({
    redis,
    log,
    ttlMs: env.PRESENCE_TTL_MS,
    heartbeatMs: env.PRESENCE_HEARTBEAT_MS,
    notify: (userIds, storm) => notifyPresence(rpc, userIds, storm),
    stormSockets: env.PRESENCE_STORM_SOCKETS,
    stormShare: env.PRESENCE_STORM_SHARE,
  });

  const baseContext = (ip: string, connectionKey: string, requestId: string | null) => ({
    requestId,
    ip,
    connectionKey,
    rpc,
    limits,
    events,
    log,
    onProcedureDone,
  });

  const onError = ({
    error,
    path,
  }: {
    error: { code: string; message: string; cause?: unknown };
    path?: string;
  }) => {
    if (error.code === 'INTERNAL_SERVER_ERROR')
      log.error({ err: error.cause ?? error, procedure: path }, 'procedure failed');
  };

  const trpcHttp = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    maxBodySize: env.MAX_BODY_BYTES,
    maxBatchSize: env.MAX_BATCH_SIZE,
    onError,
    async createContext({ req, res }): Promise<ApiContext> {
      const ip = clientIp(req, env.TRUST_PROXY);
      const requestId = requestIdFrom(req) ?? randomUUID();
      res.setHeader('X-Request-Id', requestId);
      return {
        ...baseContext(ip, `ip:${ip}`, requestId),
        ...(await authenticate(bearerToken(req))),
        traceCall: callTracing(req),
      };
    },
  });

  function serveMetrics(res: ServerResponse): void {
    metrics.eventStreams.set(events.streams);
    metrics.dependencyUp.set({ dependency: 'rabbitmq' }, bus.connected ? 1 : 0);
    metrics.dependencyUp.set({ dependency: 'redis' }, redis.status === 'ready' ? 1 : 0);
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  }
  const metricsServer = env.METRICS_PORT
    ? createServer((req, res) =>
        req.url === '/metrics' ? serveMetrics(res) : json(res, 404, { error: 'Not found' }),
      )
    : null;

  const server = createServer((req, res) => {
    inFlight++;
    res.on('close', () => inFlight--);
    res.on('finish', () =>
      metrics.httpResponses.inc({ status: `${String(res.statusCode).charAt(0)}xx` }),
    );
    setSecurityHeaders(res);
    if (!isReadableUrl(req))
      return sendTrpcError(res, 'BAD_REQUEST', 400, 'Malformed URL (percent-encoding or Host)');
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/health') return json(res, 200, { status: 'ok' });
    if (path === '/ready') {
      const parts = { rabbitmq: bus.connected, redis: redis.status === 'ready' };
      const ready = !shuttingDown && parts.rabbitmq && parts.redis;
      return json(res, ready ? 200 : 503, {
        status: ready ? 'ready' : shuttingDown ? 'shutting down' : 'not ready',
        ...parts,
      });
    }
    if (path === '/metrics' && !env.METRICS_PORT) return serveMetrics(res);
    if (path === '/trpc' || path.startsWith('/trpc/')) {
      if (handleCors(req, res, origins)) return;
      if (refuseUnsupportedMethod(req, res)) return;
      if (path === '/trpc' && answerSocketCheck(req, res, origins, env.TRUST_PROXY)) return;
      return trpcHttp(req, res);
    }
    if (path === '/files' || path.startsWith('/files/')) {
      if (handleCors(req, res, origins)) return;
      serveFiles(req, res, path).catch((err: unknown) => {
        log.error({ err }, 'file route error');
        if (!res.headersSent) json(res, 500, { error: 'Internal error' });
        else res.destroy();
      });
      return;
    }
    if (serveStatic) {
      serveStatic(req, res).catch((err: unknown) => {
        log.error({ err }, 'static file error');
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    json(res, 404, { error: 'Not found' });
  });
  server.headersTimeout = 15_000;
  // Long enough for a 25 MiB upload on a slow link; headersTimeout still stops slow senders.
  server.requestTimeout = env.REQUEST_TIMEOUT_MS;

  const wss = new WebSocketServer({ noServer: true, maxPayload: env.MAX_BODY_BYTES });
  const sockets = new Set<WebSocket>();
  // One timer each for every socket's keep-alive and token expiry (not one per socket).
  const liveness = new SocketLiveness(sockets, {
    pingAfterMs: env.WS_PING_AFTER_MS,
    pongWaitMs: env.WS_PONG_WAIT_MS,
  });
  const expiry = new ExpiryClock((socket) =>
    socket.close(closeCodes.TOKEN_EXPIRED, 'Access token expired'),
  );
  function onSocketClose(this: WebSocket) {
    sockets.delete(this);
    liveness.forget(this);
    expiry.forget(this);
    metrics.openSockets.dec();
  }
  wss.on('connection', (socket) => {
    sockets.add(socket);
    metrics.openSockets.inc();
    liveness.watch(socket);
    socket.on('close', onSocketClose);
  });

  const wsHandler = serveTrpcSockets({
    wss,
    router: appRouter,
    onError,
    encoder: batchLimitedEncoder(env.MAX_BATCH_SIZE),
    async createContext({ req, socket: ws, connectionParams }): Promise<ApiContext> {
      const ip = clientIp(req, env.TRUST_PROXY);
      const token = connectionParams?.token ?? bearerToken(req);
      const auth = await authenticate(token);
      // Not once closed (its close handler has run already).
      if (auth.exp && ws.readyState === ws.OPEN) expiry.add(ws, auth.exp);
      const connectionId = randomUUID();
      const connectionKey = `ws:${connectionId}`;
      // A socket that closed while we verified its token never counts as present.
      if (auth.user && ws.readyState === ws.OPEN) {
        const userId = auth.user.id;
        presence.add(connectionId, userId);
        // `on`, not `once`: a socket closes once, and `once` keeps a wrapper per socket.
        ws.on('close', () => {
          presence.remove(connectionId);
          // Also ends streams opened but never iterated (a close while one was opening).
          events.closeConnection(userId, connectionKey);
        });
      }
      return {
        ...baseContext(ip, connectionKey, null),
        connectionOpen: () => ws.readyState === ws.OPEN,
        traceCall: callTracing(req),
        user: auth.user,
        ...(auth.authError ? { authError: auth.authError } : {}),
      };
    },
  });

  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    // node:http removes its own error handler from upgraded sockets: without one, a client
    // that resets the connection while we refuse it would crash the process (ECONNRESET).
    const onSocketError = (err: Error) => log.debug({ err: err.message }, 'upgrade socket error');
    socket.on('error', onSocketError);
    const path = (req.url ?? '/').split('?')[0];
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (shuttingDown) return refuse(503, 'Service Unavailable');
    // tRPC reads the URL of every socket: one it can't parse would throw outside any handler.
    if (!isReadableUrl(req)) return refuse(400, 'Bad Request');
    if (path !== '/trpc') return refuse(404, 'Not Found');
    const refusal = origins.refusal(req.headers.origin, requestOrigin(req, env.TRUST_PROXY));
    if (refusal) {
      log.warn({ origin: req.headers.origin, reason: refusal }, 'websocket refused');
      return refuse(403, 'Forbidden');
    }
    socket.removeListener('error', onSocketError); // ws handles socket errors from here on
    wss.handleUpgrade(req, socket, head, (ws) =>
      wss.emit('connection', ws, upgradeRequestFacts(req)),
    );
  });

  async function shutdown(): Promise<void> {
    shuttingDown = true;
    server.close();
    wsHandler.broadcastReconnectNotification();
    const deadline = Date.now() + env.SHUTDOWN_DRAIN_MS;
    while ((inFlight > 0 || sockets.size > 0) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    for (const socket of sockets) socket.close(closeCodes.GOING_AWAY, 'Server shutting down');
    wss.close();
    server.closeAllConnections();
    liveness.stop();
    expiry.stop();
    await presence.stop();
    await events.stop();
    metricsServer?.close();
  }

  return { server, metricsServer, shutdown };
}

function json(res: import('node:http').ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
