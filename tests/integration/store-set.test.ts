// A `$set` by `_id` — the only update the chat owner sends — answers as MongoDB does. On
// FerretDB, one of existing top-level fields is this project's own single UPDATE that patches
// the stored JSON (tools/ferretdb/overlay/handler-fieldsetter.go.overlay), and a command of
// such `$set`s of the same keys by distinct ids (the owner's group commit) one UPDATE for all;
// everything else takes FerretDB's general path. A wrong patch would show here as a lost or mistyped value,
// a wrong count, or a document that reads back differently from what was written.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import mongoose from 'mongoose';
import { stackEnv } from '../support/stack-env.js';

const { ObjectId } = mongoose.Types;
type Doc = Record<string, unknown> & { _id: mongoose.Types.ObjectId };

describe('store: $set by _id', () => {
  let conn: mongoose.Connection;
  const collection = () => conn.collection<Doc>('docs');

  before(async () => {
    conn = await mongoose
      .createConnection(stackEnv().MONGO_URL, { dbName: `t${randomBytes(4).toString('hex')}_set` })
      .asPromise();
  });
  after(async () => {
    await conn?.dropDatabase();
    await conn?.close();
  });

  const insert = async (fields: Record<string, unknown>) => {
    const _id = new ObjectId();
    await collection().insertOne({ _id, ...fields });
    return _id;
  };
  const read = async (_id: mongoose.Types.ObjectId) => collection().findOne({ _id });
  const counts = (r: mongoose.mongo.UpdateResult) => [r.matchedCount, r.modifiedCount];
  const typeOf = async (_id: mongoose.Types.ObjectId, field: string) => {
    const [row] = await collection()
      .aggregate<{ t: string }>([{ $match: { _id } }, { $project: { t: { $type: `$${field}` } } }])
      .toArray();
    return row?.t;
  };

  test('values of every kind replace the old ones, with their types, and read back whole', async () => {
    const _id = await insert({ n: 1, s: 'a', o: { p: 1 }, list: [1, 2], at: new Date(0), v: null });
    const at = new Date(Date.UTC(2026, 11, 3, 1, 2, 3, 4));
    const o = { q: [1, 'two', { r: true, when: at }], empty: {} };
    const r = await collection().updateOne(
      { _id },
      { $set: { n: 1.5, s: 'b', o, list: [], at, v: new ObjectId(_id) } },
    );
    assert.deepEqual(counts(r), [1, 1]);
    assert.deepEqual(await read(_id), { _id, n: 1.5, s: 'b', o, list: [], at, v: _id });
    assert.equal(await typeOf(_id, 'n'), 'double');
    // Back to a whole number: the type follows the value, not the old schema.
    await collection().updateOne({ _id }, { $set: { n: 2 } });
    assert.equal(await typeOf(_id, 'n'), 'int');
    await collection().updateOne({ _id }, { $set: { n: 2 ** 40 } });
    assert.equal((await read(_id))?.n, 2 ** 40);
    // Filters see the new values (the lookup indexes are updated with the row).
    assert.equal(await collection().countDocuments({ s: 'b', _id }), 1);
    assert.equal(await collection().countDocuments({ s: 'a', _id }), 0);
  });

  test('an unchanged value matches without modifying; a changed type alone modifies', async () => {
    const _id = await insert({ n: 3, s: 'same' });
    assert.deepEqual(
      counts(await collection().updateOne({ _id }, { $set: { n: 3, s: 'same' } })),
      [1, 0],
    );
    assert.deepEqual(
      counts(await collection().updateOne({ _id }, { $set: { n: new mongoose.mongo.Double(3) } })),
      [1, 1],
    );
    assert.equal(await typeOf(_id, 'n'), 'double');
  });

  test('new fields, dotted paths, missing documents and upserts answer as MongoDB does', async () => {
    const _id = await insert({ n: 1, o: { p: 1, q: 2 } });
    assert.deepEqual(
      counts(await collection().updateOne({ _id }, { $set: { n: 2, added: 'x' } })),
      [1, 1],
    );
    assert.deepEqual(counts(await collection().updateOne({ _id }, { $set: { 'o.q': 3 } })), [1, 1]);
    assert.deepEqual(await read(_id), { _id, n: 2, o: { p: 1, q: 3 }, added: 'x' });
    // Field order is kept: an existing field keeps its place, a new one comes last.
    assert.deepEqual(Object.keys((await read(_id))!), ['_id', 'n', 'o', 'added']);

    const missing = new ObjectId();
    assert.deepEqual(
      counts(await collection().updateOne({ _id: missing }, { $set: { n: 1 } })),
      [0, 0],
    );
    assert.equal(await read(missing), null);
    const upserted = await collection().updateOne(
      { _id: missing },
      { $set: { n: 1 } },
      { upsert: true },
    );
    assert.equal(upserted.upsertedCount, 1);
    assert.deepEqual(await read(missing), { _id: missing, n: 1 });
  });

  test('a bulkWrite of many documents sets each one', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => insert({ i, seen: false })));
    const r = await collection().bulkWrite(
      ids.map((_id, i) => ({
        updateOne: { filter: { _id }, update: { $set: { seen: i % 2 === 0 } } },
      })),
    );
    assert.deepEqual([r.matchedCount, r.modifiedCount], [20, 10]);
    const rows = await collection()
      .find({ _id: { $in: ids } })
      .toArray();
    for (const row of rows) assert.equal(row.seen, (row.i as number) % 2 === 0);
  });

  test('one command of $sets of the same keys: changed, unchanged, missing, lacking a field and upserted documents each answer as alone', async () => {
    const at = new Date(Date.UTC(2026, 11, 3, 4, 5, 6, 7));
    const changed = await insert({ n: 1, o: { p: 1 }, at: new Date(0) });
    const unchanged = await insert({ n: 2, o: { p: 2 }, at });
    const lacking = await insert({ n: 3, o: { p: 3 } });
    const missing = new ObjectId();
    const upserted = new ObjectId();
    const typed = await insert({ n: 4, o: {}, at });
    const set = (
      _id: mongoose.Types.ObjectId,
      fields: Record<string, unknown>,
      upsert = false,
    ) => ({
      updateOne: { filter: { _id }, update: { $set: fields }, upsert },
    });
    const r = await collection().bulkWrite([
      set(changed, { n: 1.5, o: { p: [1, 'two'] }, at }),
      set(unchanged, { n: 2, o: { p: 2 }, at }),
      set(lacking, { n: 30, o: { p: 30 }, at }),
      set(missing, { n: 0, o: {}, at }),
      set(upserted, { n: 5, o: { q: null }, at }, true),
      set(typed, { n: new mongoose.mongo.Double(4), o: {}, at }),
    ]);
    assert.deepEqual(
      [r.matchedCount, r.modifiedCount, r.upsertedCount],
      [4, 3, 1],
      JSON.stringify(r),
    );
    assert.deepEqual(await read(changed), { _id: changed, n: 1.5, o: { p: [1, 'two'] }, at });
    assert.equal(await typeOf(changed, 'n'), 'double');
    assert.deepEqual(await read(unchanged), { _id: unchanged, n: 2, o: { p: 2 }, at });
    assert.deepEqual(await read(lacking), { _id: lacking, n: 30, o: { p: 30 }, at });
    assert.deepEqual(Object.keys((await read(lacking))!), ['_id', 'n', 'o', 'at']);
    assert.equal(await read(missing), null);
    assert.deepEqual(await read(upserted), { _id: upserted, n: 5, o: { q: null }, at });
    assert.equal(await typeOf(typed, 'n'), 'double');
    // Filters see the new values (every row's lookup indexes were updated).
    assert.equal(await collection().countDocuments({ _id: changed, n: 1.5 }), 1);
  });

  test('one command naming a document twice applies its $sets in order', async () => {
    const a = await insert({ n: 0, s: 'a' });
    const b = await insert({ n: 0, s: 'b' });
    const r = await collection().bulkWrite([
      { updateOne: { filter: { _id: a }, update: { $set: { n: 1, s: 'first' } } } },
      { updateOne: { filter: { _id: b }, update: { $set: { n: 1, s: 'b1' } } } },
      { updateOne: { filter: { _id: a }, update: { $set: { n: 2, s: 'second' } } } },
    ]);
    assert.deepEqual([r.matchedCount, r.modifiedCount], [3, 3]);
    assert.deepEqual(await read(a), { _id: a, n: 2, s: 'second' });
    assert.deepEqual(await read(b), { _id: b, n: 1, s: 'b1' });
  });

  test('concurrent $sets of different fields of one document all land', async () => {
    const fields = Array.from({ length: 40 }, (_, i) => `f${i}`);
    const _id = await insert(Object.fromEntries(fields.map((f) => [f, 0])));
    await Promise.all(
      fields.map((f, i) => collection().updateOne({ _id }, { $set: { [f]: i + 1 } })),
    );
    const row = await read(_id);
    assert.deepEqual(
      fields.map((f) => row?.[f]),
      fields.map((_, i) => i + 1),
    );
  });
});
