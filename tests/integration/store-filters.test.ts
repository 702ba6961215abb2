// The stack's MongoDB-compatible store answers the filters the services use with the same
// documents MongoDB would, and serves `$in` from an index. On FerretDB the `$in` pushdown is
// this project's own (tools/ferretdb/overlay): a wrong pushdown would drop or add documents
// here; a missing one would show as a plan without an index scan.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import mongoose from 'mongoose';
import { stackEnv } from '../support/stack-env.js';

interface Row {
  _id: mongoose.Types.ObjectId;
  userId: string;
  n: number;
  flag: boolean;
  at: Date;
  tags: string[];
  maybe: string | null;
}

// Enough rows that PostgreSQL prefers an index to reading the table.
const COUNT = 3000;
const day = (i: number) => new Date(Date.UTC(2026, 0, 1 + (i % 30)));

describe('store filters ($in)', () => {
  let conn: mongoose.Connection;
  let rows: Row[];
  const collection = () => conn.collection<Row>('rows');

  before(async () => {
    conn = await mongoose
      .createConnection(stackEnv().MONGO_URL, {
        dbName: `t${randomBytes(4).toString('hex')}_filters`,
      })
      .asPromise();
    rows = Array.from({ length: COUNT }, (_, i) => ({
      _id: new mongoose.Types.ObjectId(),
      userId: `u${i % 750}`,
      n: i,
      flag: i % 3 === 0,
      at: day(i),
      tags: [`t${i % 7}`, `x${i}`],
      ...(i % 5 === 0 ? {} : { maybe: i % 2 === 0 ? null : `m${i % 4}` }),
    })) as Row[];
    await collection().createIndex({ userId: 1 });
    await collection().insertMany(rows);
  });
  after(async () => {
    await conn?.dropDatabase();
    await conn?.close();
  });

  const ids = (list: Array<{ _id: mongoose.Types.ObjectId }>) =>
    list.map((r) => r._id.toHexString()).sort();
  const expect = (keep: (r: Row) => boolean) => ids(rows.filter(keep));
  const found = async (filter: mongoose.mongo.Filter<Row>) =>
    ids(await collection().find(filter).toArray());

  const cases: Array<[string, () => mongoose.mongo.Filter<Row>, (r: Row) => boolean]> = [
    [
      'strings',
      () => ({ userId: { $in: ['u1', 'u2', 'nobody'] } }),
      (r) => ['u1', 'u2'].includes(r.userId),
    ],
    [
      'ObjectIds on _id',
      () => ({ _id: { $in: [rows[3]!._id, rows[2999]!._id, new mongoose.Types.ObjectId()] } }),
      (r) => r === rows[3] || r === rows[2999],
    ],
    [
      '1,000 ObjectIds on _id (every other row, one unknown)',
      () => ({
        _id: {
          $in: [
            ...rows.filter((_, i) => i % 2 === 0 && i < 1998).map((r) => r._id),
            new mongoose.Types.ObjectId(),
          ],
        },
      }),
      (r) => rows.indexOf(r) % 2 === 0 && rows.indexOf(r) < 1998,
    ],
    [
      'strings and an ObjectId on _id (a string never equals an ObjectId)',
      () =>
        ({
          _id: { $in: [rows[5]!._id.toHexString(), rows[6]!._id] },
        }) as mongoose.mongo.Filter<Row>,
      (r) => r === rows[6],
    ],
    ['numbers', () => ({ n: { $in: [1, 2, 2998, 10_000] } }), (r) => [1, 2, 2998].includes(r.n)],
    ['booleans', () => ({ flag: { $in: [true] } }), (r) => r.flag],
    [
      'dates',
      () => ({ at: { $in: [day(0), day(7)] } }),
      (r) => r.at.getTime() === day(0).getTime() || r.at.getTime() === day(7).getTime(),
    ],
    [
      'an array field',
      () => ({ tags: { $in: ['x5', 't6'] } }),
      (r) => r.tags.some((t) => ['x5', 't6'].includes(t)),
    ],
    [
      'null among the values (missing fields match it)',
      () => ({ maybe: { $in: [null, 'm1'] } }),
      (r) => r.maybe === undefined || r.maybe === null || r.maybe === 'm1',
    ],
    ['an empty list', () => ({ userId: { $in: [] } }), () => false],
    [
      'beside other conditions',
      () => ({ userId: { $in: ['u1', 'u2', 'u3'] }, n: { $gt: 1500 }, flag: false }),
      (r) => ['u1', 'u2', 'u3'].includes(r.userId) && r.n > 1500 && !r.flag,
    ],
    [
      'mixed types (a number never equals a string)',
      () => ({ userId: { $in: ['u4', 4] } }) as mongoose.mongo.Filter<Row>,
      (r) => r.userId === 'u4',
    ],
  ];
  for (const [what, filter, keep] of cases) {
    test(`find with $in of ${what} returns exactly the matching documents`, async () => {
      const expected = expect(keep);
      assert.deepEqual(await found(filter()), expected);
      assert.equal(await collection().countDocuments(filter()), expected.length);
    });
  }

  test('updateMany and deleteMany with $in touch exactly the matching documents', async () => {
    const touched = await collection().updateMany(
      { userId: { $in: ['u10', 'u11'] } },
      { $set: { maybe: 'touched' } },
    );
    assert.equal(
      touched.modifiedCount,
      rows.filter((r) => ['u10', 'u11'].includes(r.userId)).length,
    );
    assert.deepEqual(
      await found({ maybe: 'touched' }),
      expect((r) => ['u10', 'u11'].includes(r.userId)),
    );
    const deleted = await collection().deleteMany({ userId: { $in: ['u12'] }, n: { $lt: 1500 } });
    assert.equal(deleted.deletedCount, rows.filter((r) => r.userId === 'u12' && r.n < 1500).length);
    assert.equal(await collection().countDocuments(), COUNT - deleted.deletedCount);
  });

  /**
   * Asserts the store answers `filter` from an index: on FerretDB, a pushed-down filter whose
   * PostgreSQL plan matches `postgres` and has none of `never`; on MongoDB, an IXSCAN.
   */
  async function assertIndexed(
    filter: mongoose.mongo.Filter<Row>,
    postgres: RegExp,
    never: RegExp,
  ): Promise<void> {
    const plan = (await collection().find(filter).explain()) as {
      filterPushdown?: boolean;
      serverInfo?: { ferretdbVersion?: string };
      queryPlanner?: unknown;
    };
    const text = JSON.stringify(plan.queryPlanner);
    if (plan.serverInfo?.ferretdbVersion !== undefined) {
      assert.equal(plan.filterPushdown, true);
      assert.match(text, postgres);
      assert.doesNotMatch(text, never);
    } else {
      assert.match(text, /IXSCAN/);
      assert.doesNotMatch(text, /COLLSCAN/);
    }
  }

  test('an $in on an indexed field is answered from the index', async () => {
    // PostgreSQL's plan: one GIN companion lookup per value, OR-ed.
    await assertIndexed({ userId: { $in: ['u1', 'u2'] } }, /Bitmap Index Scan/, /Seq Scan/);
  });

  test('an index on an array field takes arrays of any size and finds them by one element; unique ones still refuse duplicates', async () => {
    // On FerretDB, its own btree index would refuse such an array (an entry over ~2.7 KB).
    const long = Array.from({ length: 200 }, (_, i) => `${'w'.repeat(36)}${1000 + i}`);
    const big = { _id: new mongoose.Types.ObjectId(), userId: 'big', n: -1, tags: long };
    await collection().createIndex({ tags: 1, at: -1 });
    await collection().insertOne(big as Row);
    try {
      assert.deepEqual(await found({ tags: long[150]! }), [big._id.toHexString()]);
      await assertIndexed({ tags: long[150]! }, /Bitmap Index Scan/, /Seq Scan/);
      await collection().createIndex({ n: 1 }, { unique: true });
      await assert.rejects(
        collection().insertOne({ ...big, _id: new mongoose.Types.ObjectId() } as Row),
        {
          code: 11000,
        },
      );
    } finally {
      await collection().deleteOne({ _id: big._id });
      await collection()
        .dropIndex('n_1')
        .catch(() => undefined);
    }
  });

  test('an _id equality is answered from an index, and a string never equals an ObjectId', async () => {
    const row = rows[1234]!;
    assert.deepEqual(await found({ _id: row._id }), [row._id.toHexString()]);
    assert.deepEqual(await found({ _id: row._id.toHexString() as unknown as Row['_id'] }), []);
    await assertIndexed({ _id: row._id }, /Index Scan/, /Seq Scan/);
  });

  test('an $in of 1,000 _ids is one scan of the _id index', async () => {
    // `_id` is never an array: one `= ANY` the unique btree index answers, not 1,000 ORs.
    await assertIndexed(
      { _id: { $in: rows.slice(0, 1000).map((r) => r._id) } },
      /Index Scan/,
      /Seq Scan|BitmapOr/,
    );
  });
});
