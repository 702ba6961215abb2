/**
 * `npm run bench:search [-- --messages 100000 --samples 40]`: chat.search latency through
 * the whole system (gateway → chat worker → store) with that many messages stored. Messages
 * are written straight into the chat database (as the chat worker stores them, words
 * included) across 20 conversations of one user, their words drawn from a 5,000-word
 * vocabulary with a Zipf-like spread, so queries meet rare words (tens of matches), common
 * ones (thousands) and pairs. Needs `npm run build` and the local stack. Figures only.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import mongoose from 'mongoose';
import { chunkOf } from '@chat/db';
import { searchWords } from '@chat/api';
import { TestSystem } from '../support/system.js';
import { describeMachine } from './machine.js';
import { formatMs, summarize } from './stats.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    samples: { type: 'string', default: '40' },
  },
});
const MESSAGES = Number(values.messages);
const SAMPLES = Number(values.samples);
const CONVERSATIONS = 20;
const VOCABULARY = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}x`);

/** Word i with probability ∝ 1/(i+1): w0x is in most messages, the tail in a few. */
function zipfWord(): string {
  const u = Math.random();
  const i = Math.floor(Math.exp(u * Math.log(VOCABULARY.length + 1))) - 1;
  return VOCABULARY[Math.min(i, VOCABULARY.length - 1)]!;
}

const log = (line: string) => console.log(`[bench:search] ${line}`);

const system = await TestSystem.start({
  workers: ['auth', 'user', 'chat'],
  env: { RATE_SEARCH_PER_USER: '1000000', RATE_SEND_PER_USER: '1000000', LOG_LEVEL: 'warn' },
});
try {
  const me = await system.user();
  const conversations: string[] = [];
  for (let i = 0; i < CONVERSATIONS; i++) {
    const other = await system.user();
    conversations.push((await me.client.api.chat.openDirect.mutate({ userId: other.id })).id);
  }

  const mongo = await mongoose.createConnection(system.env.MONGO_URL!).asPromise();
  const messages = mongo.useDb(`${system.dbPrefix}chat`).collection('messages');
  const started = Date.now();
  const counts = new Map<string, number>();
  const base = Date.now() - MESSAGES * 1000;
  for (let done = 0; done < MESSAGES;) {
    const batch = [];
    for (let i = 0; i < 1000 && done < MESSAGES; i++, done++) {
      const conversationId = conversations[done % CONVERSATIONS]!;
      const seq = 1_000 + Math.floor(done / CONVERSATIONS);
      const content = Array.from({ length: 12 }, zipfWord).join(' ');
      const words = searchWords(content);
      for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
      batch.push({
        _id: new mongoose.Types.ObjectId(),
        conversationId,
        seq,
        chunk: chunkOf(conversationId, seq),
        senderId: me.id,
        clientId: randomUUID(),
        content,
        type: 'text',
        deletedFor: [],
        attachments: [],
        replyTo: null,
        replyToId: null,
        reactions: [],
        editedAt: null,
        deleted: false,
        words,
        createdAt: new Date(base + done * 1000),
      });
    }
    await messages.insertMany(batch, { ordered: false });
    if (done % 20_000 === 0 || done === MESSAGES)
      log(
        `stored ${done.toLocaleString('en-US')} messages (${Math.round((Date.now() - started) / 1000)} s)`,
      );
  }
  // What the owner would have written with them: each conversation's newest seq and message.
  const conversationRows = mongo.useDb(`${system.dbPrefix}chat`).collection('conversations');
  for (const [i, id] of conversations.entries()) {
    const last = i + CONVERSATIONS * Math.floor((MESSAGES - 1 - i) / CONVERSATIONS);
    if (last < 0) continue;
    const createdAt = new Date(base + last * 1000);
    await conversationRows.updateOne(
      { _id: new mongoose.Types.ObjectId(id) },
      {
        $set: {
          lastSeq: 1_000 + Math.floor(last / CONVERSATIONS),
          lastMessage: { id: 'bench', content: '', senderId: me.id, type: 'text', createdAt },
          updatedAt: createdAt,
        },
      },
    );
  }
  await mongo.close();

  const byCount = [...counts.entries()].sort((a, b) => a[1] - b[1]);
  const rare = byCount.find(([, n]) => n >= 10)!;
  const middle = byCount[Math.floor(byCount.length * 0.9)]!;
  const common = byCount.at(-1)!;
  const queries: Array<{ name: string; input: { query: string; conversationId?: string } }> = [
    { name: `rare word (${rare[1]} matches)`, input: { query: rare[0] } },
    { name: `frequent word (${middle[1]} matches)`, input: { query: middle[0] } },
    { name: `most common word (${common[1]} matches)`, input: { query: common[0] } },
    { name: 'two words (common + frequent)', input: { query: `${common[0]} ${middle[0]}` } },
    {
      name: 'most common word, one conversation',
      input: { query: common[0], conversationId: conversations[0]! },
    },
    { name: 'no match', input: { query: 'zzzznotaword' } },
  ];
  const rows: string[] = [];
  for (const q of queries) {
    const times: number[] = [];
    let items = 0;
    let failure: string | null = null;
    for (let i = 0; i < SAMPLES && !failure; i++) {
      const t = performance.now();
      try {
        const page = await me.client.api.chat.search.query(q.input);
        items = page.items.length;
      } catch (err) {
        // A query the store can't answer in time is a figure too (and ends its samples).
        failure = `${(err as Error).message} after ${formatMs(performance.now() - t)}`;
      }
      times.push(performance.now() - t);
    }
    if (failure) {
      rows.push(`| ${q.name} | error: ${failure} | – | – |`);
      log(`${q.name}: ${failure}`);
      continue;
    }
    const s = summarize(times.slice(2)); // the first two warm caches
    rows.push(`| ${q.name} | ${items} | ${formatMs(s.p50)} | ${formatMs(s.p99)} |`);
    log(`${q.name}: p50 ${formatMs(s.p50)} p99 ${formatMs(s.p99)}`);
  }
  const machine = describeMachine();
  console.log(
    `\nchat.search, ${MESSAGES.toLocaleString('en-US')} stored messages, ${machine.cpus} cores (${machine.cpuModel}), commit ${machine.commit}\n`,
  );
  console.log('| query | results (page of 20) | p50 | p99 |\n| --- | --- | --- | --- |');
  console.log(rows.join('\n'));
} finally {
  await system.stop();
}
