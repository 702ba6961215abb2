/**
 * Step 6b: fills the chat store to N messages, fast and directly (not through the API),
 * so idle latency can be measured again against a large store.
 *
 * To stay valid whatever the message and conversation documents look like, the seeder
 * clones documents the system itself stored during this run: it finds the message of a
 * known clientId in any collection of the run's databases (and its conversation by id),
 * then writes copies with fresh ids — `_id`, `clientId`, `seq`, content, time, and the
 * ids of the participants and the conversation swapped for synthetic ones wherever they
 * appear (values, keys, inside strings such as `direct:<a>:<b>`).
 */
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { mapLimit } from '../async.js';

type Doc = Record<string, unknown>;
type Db = ReturnType<ReturnType<mongoose.Connection['getClient']>['db']>;

export interface SeedResult {
  messagesCollection: string;
  conversationsCollection: string | null;
  before: number;
  seeded: number;
  after: number;
  conversations: number;
  perConversation: number;
  seconds: number;
  perSecond: number;
  method: string;
}

export interface SeedOptions {
  mongoUrl: string;
  dbPrefix: string;
  /** A message this run sent (its clientId) between two known users. */
  probe: { clientId: string; senderId: string; partnerId: string };
  /** Messages the collection should hold in the end. */
  total: number;
  perConversation: number;
  log: (line: string) => void;
}

const BATCH = 5_000;
const PARALLEL_BATCHES = 2;
const DAY_MS = 86_400_000;

export async function seedMessages(options: SeedOptions): Promise<SeedResult> {
  const conn = await mongoose
    .createConnection(options.mongoUrl, { retryWrites: false, serverSelectionTimeoutMS: 10_000 })
    .asPromise();
  try {
    const client = conn.getClient();
    const found = await findTemplate(client, options);
    const { db, messages, messageTemplate } = found;
    const before = await messages.countDocuments({});
    const toSeed = Math.max(0, options.total - before);
    const perConversation = Math.max(1, options.perConversation);
    const conversationCount = Math.ceil(toSeed / perConversation);
    options.log(
      `  seeding ${toSeed.toLocaleString('en-US')} messages into ${db.databaseName}.${messages.collectionName} ` +
        `(${before.toLocaleString('en-US')} there), ${conversationCount} conversations of ${perConversation}`,
    );
    const t0 = performance.now();
    const start = Date.now() - 30 * DAY_MS;

    const conversations = Array.from({ length: conversationCount }, () => ({
      id: new mongoose.mongo.ObjectId(),
      a: new mongoose.mongo.ObjectId().toHexString(),
      b: new mongoose.mongo.ObjectId().toHexString(),
    }));
    const realConversationId = String(messageTemplate.conversationId);
    const swaps = (c: (typeof conversations)[number], senderIsA: boolean) =>
      new Map<string, string>([
        [options.probe.senderId, senderIsA ? c.a : c.b],
        [options.probe.partnerId, senderIsA ? c.b : c.a],
        [realConversationId, c.id.toHexString()],
      ]);

    if (found.conversations && found.conversationTemplate) {
      const template = found.conversationTemplate;
      const numeric = numericFields(template, ['seq', 'lastSeq']);
      await mapLimit(chunks(conversations, BATCH), PARALLEL_BATCHES, async (chunk) => {
        await found.conversations!.insertMany(
          chunk.map((c) => ({
            ...(remap(template, swaps(c, true)) as Doc),
            _id: c.id,
            ...Object.fromEntries(numeric.map((f) => [f, perConversation])),
          })),
          { ordered: false },
        );
      });
    }

    const hasSeq = typeof messageTemplate.seq === 'number';
    let seeded = 0;
    let lastLog = performance.now();
    const batches = Math.ceil(toSeed / BATCH);
    await mapLimit(
      Array.from({ length: batches }, (_, b) => b),
      PARALLEL_BATCHES,
      async (b) => {
        const docs: Doc[] = [];
        for (let n = b * BATCH; n < Math.min(toSeed, (b + 1) * BATCH); n++) {
          const c = conversations[Math.floor(n / perConversation)]!;
          const k = n % perConversation;
          const doc = remap(messageTemplate, swaps(c, k % 2 === 0)) as Doc;
          doc._id = new mongoose.mongo.ObjectId();
          doc.clientId = randomUUID();
          doc.content = chatLine(n);
          doc.createdAt = new Date(start + (n / toSeed) * 29 * DAY_MS);
          if (hasSeq) doc.seq = k + 1;
          docs.push(doc);
        }
        await messages.insertMany(docs, { ordered: false });
        seeded += docs.length;
        if (performance.now() - lastLog > 10_000) {
          lastLog = performance.now();
          const s = (performance.now() - t0) / 1000;
          options.log(
            `  seeded ${seeded.toLocaleString('en-US')}/${toSeed.toLocaleString('en-US')} (${Math.round(seeded / s)}/s)`,
          );
        }
      },
    );
    const seconds = (performance.now() - t0) / 1000;
    const after = await messages.countDocuments({});
    return {
      messagesCollection: `${db.databaseName}.${messages.collectionName}`,
      conversationsCollection: found.conversations
        ? `${db.databaseName}.${found.conversations.collectionName}`
        : null,
      before,
      seeded,
      after,
      conversations: conversationCount,
      perConversation,
      seconds,
      perSecond: seeded / Math.max(seconds, 0.001),
      method:
        `insertMany (batches of ${BATCH}, ${PARALLEL_BATCHES} in parallel, unordered) straight into ` +
        `${db.databaseName}.${messages.collectionName}: copies of a message this run sent through the API, ` +
        `with fresh ids, content and timestamps over the last 30 days, spread over ${conversationCount} ` +
        `direct conversations of ${perConversation} messages between synthetic users` +
        (found.conversations ? ' (their conversation documents cloned likewise)' : '') +
        '; the conversations the benchmark measures are not among them',
    };
  } finally {
    await conn.close();
  }
}

interface Template {
  db: Db;
  messages: ReturnType<Db['collection']>;
  messageTemplate: Doc;
  conversations: ReturnType<Db['collection']> | null;
  conversationTemplate: Doc | null;
}

/** Finds the stored probe message (and its conversation) in the run's own databases. */
async function findTemplate(
  client: ReturnType<mongoose.Connection['getClient']>,
  options: SeedOptions,
): Promise<Template> {
  const { databases } = await client.db('admin').admin().listDatabases({ nameOnly: true });
  const mine = databases.map((d) => d.name).filter((n) => n.startsWith(options.dbPrefix));
  for (const name of mine) {
    const db = client.db(name);
    const collections = await db.listCollections({}, { nameOnly: true }).toArray();
    for (const { name: collection } of collections) {
      const messages = db.collection(collection);
      const messageTemplate = await messages.findOne({ clientId: options.probe.clientId });
      if (!messageTemplate) continue;
      const conversationId = String(messageTemplate.conversationId);
      const ids: unknown[] = [conversationId];
      if (mongoose.isObjectIdOrHexString(conversationId))
        ids.push(new mongoose.mongo.ObjectId(conversationId));
      for (const { name: other } of collections) {
        if (other === collection) continue;
        const conversations = db.collection(other);
        const conversationTemplate = await conversations.findOne({ _id: { $in: ids as never[] } });
        if (conversationTemplate)
          return { db, messages, messageTemplate, conversations, conversationTemplate };
      }
      return { db, messages, messageTemplate, conversations: null, conversationTemplate: null };
    }
  }
  throw new Error(
    `seeding: no stored message with clientId ${options.probe.clientId} in databases ${mine.join(', ') || `with prefix ${options.dbPrefix}`}`,
  );
}

/** A deep copy with every id of `swaps` replaced: whole values, object keys, inside strings. */
export function remap(value: unknown, swaps: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') {
    const whole = swaps.get(value);
    if (whole !== undefined) return whole;
    let out = value;
    for (const [from, to] of swaps) if (out.includes(from)) out = out.split(from).join(to);
    return out;
  }
  if (value instanceof mongoose.mongo.ObjectId) {
    const swapped = swaps.get(value.toHexString());
    return swapped !== undefined && mongoose.isObjectIdOrHexString(swapped)
      ? new mongoose.mongo.ObjectId(swapped)
      : value;
  }
  if (value instanceof Date) return new Date(value.getTime());
  if (Array.isArray(value)) return value.map((v) => remap(v, swaps));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [remap(k, swaps) as string, remap(v, swaps)]),
    );
  }
  return value;
}

function numericFields(doc: Doc, names: string[]): string[] {
  return names.filter((n) => typeof doc[n] === 'number');
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const WORDS = (
  'ok sure thanks see you tomorrow meeting lunch deploy build failed passed review the a ' +
  'can we talk about later today yes no maybe sounds good let me check I think it works ' +
  'ticket branch release customer call notes shared doc link please update when ready'
).split(' ');

/** Deterministic, varied chat text of 3–24 words. */
function chatLine(n: number): string {
  let x = (n * 2654435761) >>> 0;
  const words: string[] = [];
  const count = 3 + (x % 22);
  for (let i = 0; i < count; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    words.push(WORDS[x % WORDS.length]!);
  }
  return words.join(' ');
}
