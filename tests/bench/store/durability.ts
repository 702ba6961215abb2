/**
 * What a commit costs under each durability setting: single-writer latency and 16-writer
 * throughput of inserts and updates, insertMany's per-document cost, and the
 * create/index/drop cycle every test file runs. The settings take turns round after round
 * on one server (ALTER SYSTEM + reload), so a change in the shared machine's load hits
 * all of them alike instead of whichever ran at that moment.
 */
import { mongo } from 'mongoose';
import { createCollections, message } from './fixtures.js';
import { setServer, type PgAccess } from './pg.js';
import { sample, summarise, throughput, type Summary } from './timing.js';

const WRITERS = 16;
const ROUNDS = 5;
const SECONDS_PER_RATE = 3;

export const DURABILITY_SETTINGS: { name: string; settings: Record<string, string> }[] = [
  {
    name: 'synchronous_commit = on',
    settings: { fsync: 'on', full_page_writes: 'on', synchronous_commit: 'on' },
  },
  {
    name: 'synchronous_commit = off',
    settings: { fsync: 'on', full_page_writes: 'on', synchronous_commit: 'off' },
  },
  {
    name: 'fsync = off, full_page_writes = off, synchronous_commit = off (before)',
    settings: { fsync: 'off', full_page_writes: 'off', synchronous_commit: 'off' },
  },
];

interface Measured {
  latency: Record<string, number[]>;
  rates: Record<string, number[]>;
}

export interface DurabilityResult {
  name: string;
  latency: Record<string, Summary>;
  /** Median over the rounds. */
  rates: Record<string, number>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function measureCommits(
  client: mongo.MongoClient,
  pg: PgAccess,
  samples: number,
): Promise<DurabilityResult[]> {
  const db = client.db('bench');
  const { messages } = await createCollections(db);
  const seeded = Array.from({ length: 2_000 }, (_, i) => message('seed', i + 1, 'seeder'));
  await messages.insertMany(seeded);
  let seq = 0;
  const next = () => message('live', ++seq, 'writer');
  const pick = () => seeded[Math.floor(Math.random() * seeded.length)]!._id;
  const add = (into: Record<string, number[]>, key: string, values: number[]) =>
    (into[key] ??= []).push(...values);

  const measured: Measured[] = DURABILITY_SETTINGS.map(() => ({ latency: {}, rates: {} }));
  let cycle = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, setting] of DURABILITY_SETTINGS.entries()) {
      await setServer(pg, setting.settings);
      const { latency, rates } = measured[i]!;
      add(latency, 'insertOne', await sample(samples, () => messages.insertOne(next())));
      add(
        latency,
        'updateOne {_id} $set',
        await sample(samples, (n) =>
          messages.updateOne({ _id: pick() }, { $set: { content: `edit ${n}` } }),
        ),
      );
      const many = await sample(Math.ceil(samples / 5), () =>
        messages.insertMany(Array.from({ length: 50 }, next)),
      );
      add(
        latency,
        'insertMany 50: per doc',
        many.map((ms) => ms / 50),
      );
      add(
        latency,
        'test-file cycle: 2 collections, 3 indexes, 1 insert, dropDatabase',
        await sample(Math.ceil(samples / 10), async () => {
          const scratch = client.db(`cycle${cycle++}`);
          await scratch.collection('a').createIndex({ k: 1 }, { unique: true });
          await scratch.collection('b').createIndex({ x: 1, y: 1 });
          await scratch.collection('a').insertOne({ k: cycle });
          await scratch.dropDatabase();
        }),
      );
      const ms = SECONDS_PER_RATE * 1000;
      add(rates, `insertOne/s, ${WRITERS} writers`, [
        await throughput(WRITERS, ms, () => messages.insertOne(next())),
      ]);
      add(rates, `updateOne/s, ${WRITERS} writers`, [
        await throughput(WRITERS, ms, (w, n) =>
          messages.updateOne({ _id: pick() }, { $set: { content: `w${w} ${n}` } }),
        ),
      ]);
      add(rates, `docs/s by insertMany 50, ${WRITERS} writers`, [
        50 *
          (await throughput(WRITERS, ms, () =>
            messages.insertMany(Array.from({ length: 50 }, next)),
          )),
      ]);
    }
  }
  return DURABILITY_SETTINGS.map((setting, i) => ({
    name: setting.name,
    latency: Object.fromEntries(
      Object.entries(measured[i]!.latency).map(([k, v]) => [k, summarise(v)]),
    ),
    rates: Object.fromEntries(Object.entries(measured[i]!.rates).map(([k, v]) => [k, median(v)])),
  }));
}
