/**
 * What a commit costs: single-writer latency and 16-writer throughput of inserts and
 * updates, insertMany's per-document cost, and the create/index/drop cycle every test
 * file runs. The launcher runs it once per PostgreSQL durability setting.
 */
import { mongo } from 'mongoose';
import { createCollections, message } from './fixtures.js';
import { sample, summarise, throughput } from './timing.js';
import type { Results } from './probes.js';

const WRITERS = 16;
const SECONDS = 8;

export async function measureCommits(client: mongo.MongoClient, samples: number) {
  const db = client.db('bench');
  const { messages } = await createCollections(db);
  const seeded = Array.from({ length: 2_000 }, (_, i) => message('seed', i + 1, 'seeder'));
  await messages.insertMany(seeded);
  let seq = 0;
  const next = () => message('live', ++seq, 'writer');
  const pick = () => seeded[Math.floor(Math.random() * seeded.length)]!._id;

  const latency: Results = {
    insertOne: summarise(await sample(samples, () => messages.insertOne(next()))),
    'updateOne {_id} $set': summarise(
      await sample(samples, (i) =>
        messages.updateOne({ _id: pick() }, { $set: { content: `edit ${i}` } }),
      ),
    ),
  };
  const many = summarise(
    await sample(Math.ceil(samples / 5), () =>
      messages.insertMany(Array.from({ length: 50 }, next)),
    ),
  );
  latency['insertMany 50: per doc'] = { n: many.n, p50: many.p50 / 50, p99: many.p99 / 50 };
  latency['test-file cycle: 2 collections, 3 indexes, 1 insert, dropDatabase'] = summarise(
    await sample(Math.ceil(samples / 10), async (i) => {
      const scratch = client.db(`cycle${i}`);
      await scratch.collection('a').createIndex({ k: 1 }, { unique: true });
      await scratch.collection('b').createIndex({ x: 1, y: 1 });
      await scratch.collection('a').insertOne({ k: i });
      await scratch.dropDatabase();
    }),
  );

  const rates = {
    [`insertOne/s, ${WRITERS} writers`]: await throughput(WRITERS, SECONDS * 1000, () =>
      messages.insertOne(next()),
    ),
    [`updateOne/s, ${WRITERS} writers`]: await throughput(WRITERS, SECONDS * 1000, (w, i) =>
      messages.updateOne({ _id: pick() }, { $set: { content: `w${w} ${i}` } }),
    ),
    [`docs/s by insertMany 50, ${WRITERS} writers`]:
      50 *
      (await throughput(WRITERS, SECONDS * 1000, () =>
        messages.insertMany(Array.from({ length: 50 }, next)),
      )),
  };
  return { latency, rates };
}
