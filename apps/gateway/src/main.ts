import { Redis } from 'ioredis';
import { setExposeErrorStacks } from '@chat/api';
import { Bus } from '@chat/bus';
import { createLogger, onShutdown, redisClientOptions } from '@chat/core';
import { connectDb } from '@chat/db';
import { createFileStore } from '@chat/files';
import { startTracing } from '@chat/tracing';
import { loadGatewayEnv } from './env.js';
import { createGateway } from './server.js';

const LISTEN_BACKLOG = 65_535;

async function main() {
  const env = loadGatewayEnv();
  const log = createLogger({ service: 'gateway', level: env.LOG_LEVEL, pretty: env.LOG_PRETTY });
  setExposeErrorStacks(env.EXPOSE_ERROR_STACKS);
  if (env.EXPOSE_ERROR_STACKS) log.warn('EXPOSE_ERROR_STACKS: error answers carry stack traces');
  const tracing = startTracing(env, 'gateway', log);

  const redis = new Redis(env.REDIS_URL, redisClientOptions);
  redis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis error'));
  await redis.connect();
  const bus = await Bus.connect({
    url: env.AMQP_URL,
    service: 'gateway',
    log,
    namespace: env.BUS_NAMESPACE,
  });

  // GridFS keeps uploads in the chat database; S3 needs no database connection here.
  const filesDb =
    env.FILE_STORAGE === 'gridfs'
      ? await connectDb({ url: env.MONGO_URL, dbName: `${env.MONGO_DB_PREFIX}chat`, log })
      : null;
  const files = createFileStore(env, { db: filesDb?.db });

  const gateway = createGateway({ env, log, bus, redis, files });
  await new Promise<void>((resolve, reject) => {
    gateway.server.once('error', reject);
    // A reconnect storm opens thousands of connections at once: with Node's default accept
    // backlog (511) the kernel drops the rest and clients wait out SYN/ACK retransmits
    // (1, 3, 7, 15 s …). Ask for more; the kernel caps it at net.core.somaxconn.
    gateway.server.listen({ port: env.PORT, host: env.HOST, backlog: LISTEN_BACKLOG }, resolve);
  });
  if (gateway.metricsServer) {
    const metricsServer = gateway.metricsServer;
    await new Promise<void>((resolve, reject) => {
      metricsServer.once('error', reject);
      metricsServer.listen(env.METRICS_PORT, env.HOST, resolve);
    });
  }
  log.info(
    { url: `http://${env.HOST}:${env.PORT}`, static: env.STATIC_DIR ?? null },
    'gateway listening',
  );

  onShutdown(
    log,
    async () => {
      await gateway.shutdown();
      await bus.close();
      await files.close();
      await filesDb?.close();
      redis.disconnect();
      await tracing.shutdown();
    },
    env.SHUTDOWN_DRAIN_MS + 5_000,
  );
}

main().catch((err: unknown) => {
  const e = err as NodeJS.ErrnoException;
  console.error(
    e.code === 'EADDRINUSE'
      ? `gateway: port already in use (${e.message}); set PORT to another port`
      : `gateway failed to start: ${e.message}`,
  );
  process.exit(1);
});
