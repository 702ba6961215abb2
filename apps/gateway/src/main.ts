import { Redis } from 'ioredis';
import { setExposeErrorStacks } from '@chat/api';
import { Bus } from '@chat/bus';
import { createLogger, onShutdown, redisClientOptions } from '@chat/core';
import { startTracing } from '@chat/tracing';
import { loadGatewayEnv } from './env.js';
import { createGateway } from './server.js';

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

  const gateway = createGateway({ env, log, bus, redis });
  await new Promise<void>((resolve, reject) => {
    gateway.server.once('error', reject);
    gateway.server.listen(env.PORT, env.HOST, resolve);
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
