/**
 * Store benchmark: how the dev/CI store (FerretDB on PostgreSQL) scales with stored
 * messages, and what a commit costs. Run by `npm run bench:store` (tools/bench/store.mjs),
 * which starts a private store per scenario and passes MONGO_URL (and for plans,
 * BENCH_PSQL / BENCH_PG_LOG). Figures only: nothing is asserted but result correctness.
 *
 *   --mode growth      grow messages 0 → the last checkpoint, probing at each checkpoint
 *   --mode durability  commit latency/throughput, durability settings taking turns
 * Prints readable lines and one final `RESULT <json>` line for the launcher.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { mongo } from 'mongoose';
import { explainProbes } from './store/explain.js';
import { pgAccess } from './store/pg.js';
import { Fill, PROBE, createCollections, insertProbe } from './store/fixtures.js';
import { measureCommits } from './store/durability.js';
import { bigDocumentUpdates, pageBySeqBlock, runProbes, type Results } from './store/probes.js';
import { ms } from './store/timing.js';

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'growth' },
    checkpoints: { type: 'string', default: '0,10000,100000,1000000' },
    samples: { type: 'string', default: '40' },
  },
});
const SAMPLES = Number(values.samples);

function print(title: string, results: Results) {
  console.log(title);
  for (const [name, s] of Object.entries(results)) {
    console.log(
      `  ${name.padEnd(62)} p50 ${ms(s.p50).padStart(7)} ms  p99 ${ms(s.p99).padStart(7)} ms`,
    );
  }
}

async function growth(client: mongo.MongoClient) {
  const checkpoints = values.checkpoints.split(',').map(Number);
  const { messages, members } = await createCollections(client.db('bench'));
  const probeDocs = await insertProbe(messages, members);
  const fill = new Fill(messages, members);
  const rows: { stored: number; fillRate: number | null; load: number; results: Results }[] = [];
  let extra: Results = {};
  let plans: Record<string, string[]> = {};

  for (const target of checkpoints) {
    const t0 = performance.now();
    const before = fill.stored;
    await fill.growTo(target);
    const fillRate = target > before ? ((target - before) * 1000) / (performance.now() - t0) : null;
    const ctx = {
      messages,
      members,
      stored: fill.sampled.length ? fill.sampled : probeDocs,
      samples: SAMPLES,
    };
    const results = await runProbes(ctx);
    print(
      `\n${target.toLocaleString('en')} background messages` +
        (fillRate ? ` (filled at ${Math.round(fillRate)} docs/s)` : ''),
      results,
    );
    rows.push({ stored: target, fillRate, load: loadavg()[0]!, results });
    if (target === checkpoints.at(-1)) {
      extra = await bigDocumentUpdates(ctx);
      print('\nupdate cost by document size', extra);
      plans = await plansOf(ctx.stored[0]!, messages, members);
    }
  }
  return { rows, extra, plans };
}

async function plansOf(
  m: { senderId: string; clientId: string; _id: mongo.ObjectId },
  messages: Awaited<ReturnType<typeof createCollections>>['messages'],
  members: Awaited<ReturnType<typeof createCollections>>['members'],
) {
  const pg = pgAccess();
  if (!pg) return {};
  const plans = await explainProbes(pg, {
    'findOne {senderId, clientId}': () =>
      messages.findOne({ senderId: m.senderId, clientId: m.clientId }),
    'findOne {_id}': () => messages.findOne({ _id: m._id }),
    'members findOne {conversationId, userId}': () =>
      members.findOne({ conversationId: PROBE, userId: 'probe-a' }),
    'updateOne {_id} $set': () => messages.updateOne({ _id: m._id }, { $set: { content: 'x' } }),
    'history page {conversationId, seq: {$lt}} sort limit': () =>
      messages
        .find({ conversationId: PROBE, seq: { $lt: 1000 } })
        .sort({ seq: -1 })
        .limit(50)
        .toArray(),
    'history page {seqBlock}': () => pageBySeqBlock(messages, 1000),
  });
  console.log('\nplans PostgreSQL chose (auto_explain)');
  for (const [name, lines] of Object.entries(plans)) console.log(`${name}\n${lines.join('\n')}`);
  return plans;
}

async function main() {
  const url = process.env.MONGO_URL;
  if (!url) throw new Error('MONGO_URL is not set: run this through `npm run bench:store`');
  const client = await mongo.MongoClient.connect(url, { retryWrites: false });
  try {
    if (values.mode === 'durability') {
      const pg = pgAccess();
      if (!pg)
        throw new Error(
          '--mode durability needs BENCH_PSQL and BENCH_PG_LOG (the launcher sets them)',
        );
      const results = await measureCommits(client, pg, SAMPLES);
      for (const r of results) {
        print(`\n${r.name}`, r.latency);
        for (const [name, rate] of Object.entries(r.rates))
          console.log(`  ${name}: ${Math.round(rate)}`);
      }
      console.log(`RESULT ${JSON.stringify(results)}`);
    } else {
      console.log(`RESULT ${JSON.stringify(await growth(client))}`);
    }
  } finally {
    await client.close();
  }
}

await main();
