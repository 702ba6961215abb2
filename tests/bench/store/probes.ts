/**
 * The measured operations, each a query shape the chat worker uses (or could use), run
 * one at a time against the store at its current size.
 */
import { mongo } from 'mongoose';
import { BLOCK, PROBE, PROBE_MESSAGES, message, type Member, type Message } from './fixtures.js';
import { sample, summarise, type Summary } from './timing.js';

const PAGE = 50;

export interface ProbeContext {
  messages: mongo.Collection<Message>;
  members: mongo.Collection<Member>;
  /** Stored messages to look up and update at random. */
  stored: Message[];
  samples: number;
}

const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)]!;

/** Next seq in the conversation the insert probes write to (outside the probe conversation). */
let liveSeq = 0;
const live = () => message('live', ++liveSeq, 'live-sender');

/** A history page before `before` via `seqBlock` equalities: flat on FerretDB, indexed on MongoDB. */
export async function pageBySeqBlock(messages: mongo.Collection<Message>, before: number) {
  const page: Message[] = [];
  for (let block = Math.floor((before - 1) / BLOCK); block >= 0 && page.length < PAGE; block--) {
    const docs = await messages
      .find({ seqBlock: `${PROBE}:${block}`, seq: { $lt: before } })
      .sort({ seq: -1 })
      .limit(PAGE - page.length)
      .toArray();
    page.push(...docs);
  }
  return page;
}

export type Results = Record<string, Summary>;

export async function runProbes(ctx: ProbeContext): Promise<Results> {
  const { messages, members, stored, samples } = ctx;
  const results: Results = {};
  const perDoc = (s: Summary, docs: number): Summary => ({
    n: s.n,
    p50: s.p50 / docs,
    p99: s.p99 / docs,
  });
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new Error(`store benchmark: ${what} returned the wrong result`);
  };

  results['findOne {senderId, clientId}'] = summarise(
    await sample(samples, async () => {
      const m = pick(stored);
      check(
        (await messages.findOne({ senderId: m.senderId, clientId: m.clientId }))?.seq === m.seq,
        'findOne',
      );
    }),
  );
  results['findOne {_id}'] = summarise(
    await sample(samples, async () => {
      const m = pick(stored);
      check((await messages.findOne({ _id: m._id }))?.clientId === m.clientId, 'findById');
    }),
  );
  results[`find {conversationId} (${PROBE_MESSAGES} docs)`] = summarise(
    await sample(Math.ceil(samples / 4), async () => {
      check(
        (await messages.find({ conversationId: PROBE }).toArray()).length === PROBE_MESSAGES,
        'find',
      );
    }),
  );
  results['members findOne {conversationId, userId}'] = summarise(
    await sample(samples, async () => {
      check(
        (await members.findOne({ conversationId: PROBE, userId: 'probe-a' })) !== null,
        'members',
      );
    }),
  );
  results['updateOne {_id} $set'] = summarise(
    await sample(samples, async (i) => {
      const m = pick(stored);
      const res = await messages.updateOne({ _id: m._id }, { $set: { content: `edited ${i}` } });
      check(res.matchedCount === 1, 'updateOne');
    }),
  );
  results['insertOne'] = summarise(await sample(samples, () => messages.insertOne(live())));
  for (const size of [10, 50, 200]) {
    const s = summarise(
      await sample(Math.max(5, Math.ceil((samples * 10) / size)), () =>
        messages.insertMany(Array.from({ length: size }, live)),
      ),
    );
    results[`insertMany ${size}: per call`] = s;
    results[`insertMany ${size}: per doc`] = perDoc(s, size);
  }
  // A retried send inside a group commit: FerretDB rolls the batch back and inserts one by one.
  const withDuplicate = summarise(
    await sample(Math.max(5, Math.ceil(samples / 5)), async () => {
      const docs = Array.from({ length: 50 }, live);
      const m = pick(stored);
      docs[25] = { ...docs[25]!, senderId: m.senderId, clientId: m.clientId };
      const res = await messages.insertMany(docs, { ordered: false }).catch((err: unknown) => {
        if (err instanceof mongo.MongoBulkWriteError)
          return { insertedCount: err.result.insertedCount };
        throw err;
      });
      check(res.insertedCount === 49, 'insertMany with a duplicate');
    }),
  );
  results['insertMany 50 with 1 duplicate key (ordered: false): per doc'] = perDoc(
    withDuplicate,
    50,
  );
  results['history page: {conversationId, seq: {$lt}} sort limit 50'] = summarise(
    await sample(Math.ceil(samples / 4), async () => {
      const before = PAGE + 1 + Math.floor(Math.random() * (PROBE_MESSAGES - PAGE));
      const docs = await messages
        .find({ conversationId: PROBE, seq: { $lt: before } })
        .sort({ seq: -1 })
        .limit(PAGE)
        .toArray();
      check(docs.length === PAGE && docs[0]!.seq === before - 1, 'history page');
    }),
  );
  results['history page: {seqBlock} equalities (≤ 2 queries)'] = summarise(
    await sample(samples, async () => {
      const before = PAGE + 1 + Math.floor(Math.random() * (PROBE_MESSAGES - PAGE));
      const docs = await pageBySeqBlock(messages, before);
      check(docs.length === PAGE && docs[0]!.seq === before - 1, 'seqBlock page');
    }),
  );
  return results;
}

/** `updateOne({_id}, {$set})` on a document holding a 10,000-element array vs a small one. */
export async function bigDocumentUpdates(ctx: ProbeContext): Promise<Results> {
  const { messages, samples } = ctx;
  const big = { ...live(), readers: Array.from({ length: 10_000 }, (_, i) => `reader-${i}`) };
  const small = live();
  await messages.insertMany([big, small]);
  const update = (id: mongo.ObjectId) =>
    sample(samples, (i) => messages.updateOne({ _id: id }, { $set: { content: `edit ${i}` } }));
  return {
    'updateOne $set, small document': summarise(await update(small._id)),
    'updateOne $set, document with a 10,000-element array': summarise(await update(big._id)),
  };
}
