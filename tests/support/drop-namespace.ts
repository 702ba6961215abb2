import { pathToFileURL } from 'node:url';
import { connect } from 'amqplib';
import mongoose from 'mongoose';
import { PARTITIONS } from '@chat/api';
import { partitionLabel } from '@chat/bus';

/** The databases of one system (MONGO_DB_PREFIX + these; one per worker role). */
const DATABASES = ['auth', 'users', 'chat', 'notifications'];

/**
 * Drops one system's queues, exchanges and databases (its BUS_NAMESPACE and
 * MONGO_DB_PREFIX), so test and e2e runs leave nothing behind: a thousand leftover quorum
 * queues kept RabbitMQ at ≈ 7 % of a core while idle.
 */
export async function dropNamespace(env: Record<string, string | undefined>): Promise<void> {
  const ns = env.BUS_NAMESPACE ?? '';
  if (!ns) return;
  const conn = await connect(env.AMQP_URL!);
  try {
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
    const partitions = Array.from({ length: PARTITIONS }, (_, p) => partitionLabel(p));
    for (const queue of [
      ...['auth', 'user', 'chat', 'notification'].map((s) => `rpc.${s}.shared`),
      ...partitions.map((p) => `rpc.chat.${p}`),
      ...partitions.map((p) => `notification.chat_events.${p}`),
      'user.user_events',
      'notification.chat_events',
      'notification.user_events',
      'dead_letters',
    ]) {
      await ch.deleteQueue(`${ns}${queue}`);
    }
    for (const exchange of ['user_events', 'chat_events', 'dlx'])
      await ch.deleteExchange(`${ns}${exchange}`);
  } finally {
    await conn.close();
  }
  if (!env.MONGO_DB_PREFIX) return;
  const mongo = await mongoose.createConnection(env.MONGO_URL!).asPromise();
  try {
    for (const db of DATABASES) await mongo.useDb(`${env.MONGO_DB_PREFIX}${db}`).dropDatabase();
  } finally {
    await mongo.close();
  }
}

// `node --import tsx tests/support/drop-namespace.ts` with the system's env: tools/e2e.mjs.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  dropNamespace(process.env).then(
    () => process.exit(0),
    (err: Error) => {
      console.error(`dropping ${process.env.BUS_NAMESPACE} failed: ${err.message}`);
      process.exit(1);
    },
  );
}
