import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { connectDb } from '@chat/db';
import { createLogger } from '@chat/core';
import { stackEnv } from '../support/stack-env.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { sleep } from '../support/wait.js';

const CUTS = 20;
const RECOVERY_MS = 10_000;

/**
 * The store's connection behind a TCP relay that is cut (every connection reset, new ones
 * refused) and restored, again and again, while six loops write and read through it. After
 * each restore the client must work again within seconds. Without the guard in
 * packages/db/src/closed-socket-writes.ts the driver's monitor sometimes waited forever on a
 * socket the cut had closed, and the client never worked again (about one cut in five here).
 */
test(`the store's client comes back after each of ${CUTS} network cuts under load`, async () => {
  const mongo = new URL(stackEnv().MONGO_URL);
  const proxy = await TcpProxy.start({ host: mongo.hostname, port: Number(mongo.port || 27017) });
  const dbName = `treconnect_${randomBytes(4).toString('hex')}`;
  const conn = await connectDb({
    url: `mongodb://127.0.0.1:${proxy.port}`,
    dbName,
    log: createLogger({ service: 'test', level: 'silent' }),
  });
  after(async () => {
    await proxy.restore();
    await conn.dropDatabase().catch(() => undefined);
    await conn.close(true);
    await proxy.cut();
  });
  const items = conn.collection('items');
  let lastSuccess = 0;
  let failures = 0;
  let running = true;
  const loops = Array.from({ length: 6 }, async (_, i) => {
    while (running) {
      try {
        await items.insertMany([{ loop: i }, { loop: i }], { ordered: false });
        await items.findOne({ loop: i });
        lastSuccess = Date.now();
      } catch {
        failures++;
        await sleep(50);
      }
    }
  });
  try {
    for (let cut = 1; cut <= CUTS; cut++) {
      await proxy.cut();
      await sleep(300 + Math.random() * 1200);
      await proxy.restore();
      const restored = Date.now();
      while (lastSuccess < restored && Date.now() - restored < RECOVERY_MS) await sleep(50);
      assert.ok(
        lastSuccess >= restored,
        `cut ${cut}: nothing succeeded within ${RECOVERY_MS} ms of the restore`,
      );
      await sleep(200 + Math.random() * 800);
    }
  } finally {
    running = false;
    await Promise.all(loops);
  }
  assert.ok(failures > 0, 'the cuts failed operations');
});
