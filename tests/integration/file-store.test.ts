// One contract for both FileStore drivers, each against a real server: GridFS in the local
// stack's MongoDB-compatible store (FerretDB here, MongoDB in docker), S3 in a moto server of
// this file's own (tests/support/s3-server.ts). A database and a bucket of this file's own,
// dropped afterwards.
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { MongoClient, type Db } from 'mongodb';
import {
  createGridFsStore,
  createS3Store,
  FileExistsError,
  FileNotFoundError,
  isStorageOutage,
  type FileStore,
} from '@chat/files';
import { freePort } from '../support/process.js';
import { S3TestServer } from '../support/s3-server.js';
import { stackEnv } from '../support/stack-env.js';

const MiB = 1024 * 1024;
const BIG = 20 * MiB;
const GRIDFS_CHUNK = 255 * 1024; // the GridFS default chunk size
const S3_PART = 5 * MiB; // the S3 store's part size

// A forced collection before each memory sample, so the numbers are live bytes, not garbage.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** What a driver's test needs besides the store: a look at the backing server's leftovers. */
interface Harness {
  store: FileStore;
  /** Anything of `key` still on the server: chunks, files documents, objects, multipart uploads. */
  leftovers(key: string): Promise<string[]>;
  /** A store of this driver whose server is a closed port (and a way to release it). */
  deadStore(): Promise<{ store: FileStore; release: () => Promise<void> }>;
  close(): Promise<void>;
}

/**
 * A body of `size` random bytes in 64 KiB chunks, made as it is read (never held whole),
 * hashing what it hands out. `failAfter` makes it error once that many bytes went out;
 * `onSent` sees the running count (to abort mid-write).
 */
function randomBody(
  size: number,
  opts: { failAfter?: number; onSent?: (sent: number) => void } = {},
): { body: Readable; digest: () => string } {
  const hash = createHash('sha256');
  let sent = 0;
  const body = new Readable({
    read() {
      if (opts.failAfter !== undefined && sent >= opts.failAfter) {
        this.destroy(new Error('client went away'));
        return;
      }
      if (sent >= size) {
        this.push(null);
        return;
      }
      const chunk = randomBytes(Math.min(64 * 1024, size - sent));
      hash.update(chunk);
      sent += chunk.length;
      opts.onSent?.(sent);
      this.push(chunk);
    },
  });
  return { body, digest: () => hash.digest('hex') };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const part of stream) hash.update(part as Buffer);
  return hash.digest('hex');
}

const newKey = (label: string) => `test/${label}-${randomUUID()}`;
const ms = (since: number) => `${Math.round(performance.now() - since)} ms`;

function contract(driver: string, open: () => Promise<Harness>): void {
  describe(`FileStore contract: ${driver}`, () => {
    let h: Harness;
    // One 20 MiB file for the read tests, kept in memory here to compare ranges against.
    const bigKey = newKey('big');
    let big: Buffer;

    before(async () => {
      h = await open();
      big = randomBytes(BIG);
      await h.store.write(bigKey, Readable.from(chunksOf(big)), {
        contentType: 'application/octet-stream',
      });
    });
    after(async () => {
      await h?.close();
    });

    test('ping answers', async () => {
      await h.store.ping();
      assert.equal(h.store.driver, driver);
    });

    test('20 MiB streamed in and out: same bytes (sha256), size reported', async (t) => {
      const key = newKey('roundtrip');
      const { body, digest } = randomBody(BIG);
      let start = performance.now();
      const { size } = await h.store.write(key, body, { contentType: 'video/mp4' });
      t.diagnostic(`${driver}: wrote 20 MiB in ${ms(start)}`);
      assert.equal(size, BIG);
      start = performance.now();
      assert.equal(await sha256Of(await h.store.read(key)), digest());
      t.diagnostic(`${driver}: read 20 MiB in ${ms(start)}`);
      await h.store.remove(key);
    });

    test('ranges: first byte, middle, last byte, across chunk and part boundaries', async (t) => {
      const ranges = [
        { start: 0, end: 0 },
        { start: BIG / 2 - 100, end: BIG / 2 + 100 },
        { start: BIG - 1, end: BIG - 1 },
        // The first GridFS chunk boundary, and three chunks into the middle of one
        { start: GRIDFS_CHUNK - 2, end: GRIDFS_CHUNK + 1 },
        { start: 3 * GRIDFS_CHUNK - 10, end: 7 * GRIDFS_CHUNK + 10 },
        // The S3 part boundaries (first, and a range spanning a whole part)
        { start: S3_PART - 1, end: S3_PART },
        { start: S3_PART - 7, end: 2 * S3_PART + 7 },
        { start: 0, end: BIG - 1 },
      ];
      for (const range of ranges) {
        const start = performance.now();
        const got = await readAll(await h.store.read(bigKey, range));
        if (range.end - range.start < 1000)
          t.diagnostic(`${driver}: ${range.start}-${range.end} in ${ms(start)}`);
        assert.ok(
          got.equals(big.subarray(range.start, range.end + 1)),
          `range ${range.start}-${range.end}: ${got.length} bytes, not the stored ones`,
        );
      }
    });

    test('a range ending past the file is served to its last byte; one starting past it is a RangeError', async () => {
      const tail = await readAll(await h.store.read(bigKey, { start: BIG - 3, end: BIG + 1000 }));
      assert.ok(tail.equals(big.subarray(BIG - 3)));
      await assert.rejects(h.store.read(bigKey, { start: BIG, end: BIG + 10 }), RangeError);
      await assert.rejects(h.store.read(bigKey, { start: 10, end: 9 }), RangeError);
      await assert.rejects(h.store.read(bigKey, { start: -1, end: 9 }), RangeError);
    });

    test('reading a missing key rejects with FileNotFoundError (with or without a range)', async () => {
      await assert.rejects(h.store.read(newKey('missing')), FileNotFoundError);
      await assert.rejects(
        h.store.read(newKey('missing'), { start: 0, end: 10 }),
        FileNotFoundError,
      );
    });

    test('remove, then read: not found; removing a missing key is fine', async () => {
      const key = newKey('removed');
      await h.store.write(key, Readable.from([Buffer.from('bytes')]), {
        contentType: 'text/plain',
      });
      assert.equal((await readAll(await h.store.read(key))).toString(), 'bytes');
      await h.store.remove(key);
      await assert.rejects(h.store.read(key), FileNotFoundError);
      assert.deepEqual(await h.leftovers(key), []);
      await h.store.remove(key);
      await h.store.remove(newKey('never-written'));
    });

    test('an empty body stores an empty file', async () => {
      const key = newKey('empty');
      const { size } = await h.store.write(key, Readable.from([]), { contentType: 'text/plain' });
      assert.equal(size, 0);
      assert.equal((await readAll(await h.store.read(key))).length, 0);
      await h.store.remove(key);
    });

    test('keys are written once: a second write rejects and keeps the first bytes', async () => {
      const key = newKey('once');
      await h.store.write(key, Readable.from([Buffer.from('first')]), {
        contentType: 'text/plain',
      });
      await assert.rejects(
        h.store.write(key, Readable.from([Buffer.from('second')]), { contentType: 'text/plain' }),
        FileExistsError,
      );
      assert.equal((await readAll(await h.store.read(key))).toString(), 'first');
      await h.store.remove(key);
    });

    test('a body that errors midway: write rejects with its error, nothing remains', async () => {
      // Past the first S3 part and many GridFS chunks, so parts/chunks were already stored.
      const key = newKey('body-error');
      const { body } = randomBody(BIG, { failAfter: 7 * MiB });
      await assert.rejects(h.store.write(key, body, { contentType: 'video/mp4' }), {
        message: 'client went away',
      });
      await assert.rejects(h.store.read(key), FileNotFoundError);
      assert.deepEqual(await h.leftovers(key), []);
    });

    test('an AbortSignal aborting mid-write: write rejects, nothing remains', async () => {
      const key = newKey('aborted');
      const controller = new AbortController();
      const { body } = randomBody(BIG, {
        onSent: (sent) => {
          if (sent >= 7 * MiB && !controller.signal.aborted) controller.abort();
        },
      });
      await assert.rejects(
        h.store.write(key, body, { contentType: 'video/mp4', signal: controller.signal }),
        { name: 'AbortError' },
      );
      await assert.rejects(h.store.read(key), FileNotFoundError);
      assert.deepEqual(await h.leftovers(key), []);
      // The caller's body is left to the caller (paused, not destroyed).
      assert.equal(body.destroyed, false);
    });

    test('an already aborted signal rejects before anything is written', async () => {
      const key = newKey('pre-aborted');
      const { body } = randomBody(MiB);
      await assert.rejects(
        h.store.write(key, body, { contentType: 'text/plain', signal: AbortSignal.abort() }),
        { name: 'AbortError' },
      );
      assert.deepEqual(await h.leftovers(key), []);
    });

    test('writing 20 MiB never holds the body in memory', async (t) => {
      // Live bytes (JS heap + Buffers), sampled every 5 ms after a forced GC each time: a
      // driver that buffered the body would peak ≥ 20 MiB above the baseline; GridFS holds
      // about one 255 KiB chunk, S3 one 5 MiB part buffer.
      const key = newKey('memory');
      const { body } = randomBody(BIG);
      gc();
      const live = () => {
        const m = process.memoryUsage();
        return m.heapUsed + m.arrayBuffers;
      };
      const baseline = live();
      let peak = baseline;
      let samples = 0;
      const sampler = setInterval(() => {
        gc();
        samples++;
        peak = Math.max(peak, live());
      }, 5);
      try {
        await h.store.write(key, body, { contentType: 'video/mp4' });
      } finally {
        clearInterval(sampler);
      }
      const growth = (peak - baseline) / MiB;
      t.diagnostic(`${driver}: peak live memory writing 20 MiB: +${growth.toFixed(1)} MiB`);
      assert.ok(samples > 10, `only ${samples} memory samples`);
      assert.ok(growth < 15, `memory grew by ${growth.toFixed(1)} MiB while writing 20 MiB`);
      await h.store.remove(key);
    });

    test('reading 20 MiB never holds the file in memory', async (t) => {
      // The same sampling while the stored 20 MiB file is read and hashed: a reader that
      // fetched it in large batches (GridFS's own download stream: its first batch is the
      // whole file, up to a 16 MiB reply) would peak near 16-20 MiB; a download then costs
      // the gateway that much per reader. GridFS holds a few 255 KiB chunks, S3 a socket's worth.
      gc();
      const live = () => {
        const m = process.memoryUsage();
        return m.heapUsed + m.arrayBuffers;
      };
      const baseline = live();
      let peak = baseline;
      let samples = 0;
      const sampler = setInterval(() => {
        gc();
        samples++;
        peak = Math.max(peak, live());
      }, 5);
      let digest: string;
      try {
        digest = await sha256Of(await h.store.read(bigKey));
      } finally {
        clearInterval(sampler);
      }
      assert.equal(digest, createHash('sha256').update(big).digest('hex'));
      const growth = (peak - baseline) / MiB;
      t.diagnostic(`${driver}: peak live memory reading 20 MiB: +${growth.toFixed(1)} MiB`);
      assert.ok(samples > 10, `only ${samples} memory samples`);
      assert.ok(growth < 8, `memory grew by ${growth.toFixed(1)} MiB while reading 20 MiB`);
    });

    test('storage down: ping and write reject within seconds, as an outage', async () => {
      const { store, release } = await h.deadStore();
      try {
        let start = performance.now();
        const pingErr = await store.ping().then(
          () => assert.fail('ping of a closed port resolved'),
          (err: unknown) => err,
        );
        assert.ok(performance.now() - start < 8_000, `ping took ${ms(start)}`);
        assert.ok(isStorageOutage(pingErr), `not an outage: ${String(pingErr)}`);

        start = performance.now();
        const writeErr = await store
          .write(newKey('down'), randomBody(MiB).body, { contentType: 'text/plain' })
          .then(
            () => assert.fail('write to a closed port resolved'),
            (err: unknown) => err,
          );
        assert.ok(performance.now() - start < 8_000, `write took ${ms(start)}`);
        assert.ok(isStorageOutage(writeErr), `not an outage: ${String(writeErr)}`);

        // What is not an outage stays so.
        assert.equal(isStorageOutage(new FileNotFoundError('x')), false);
      } finally {
        await release();
      }
    });
  });
}

function* chunksOf(buf: Buffer, size = 64 * 1024): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

// --------------------------------------------------------------------------- GridFS

const { MONGO_URL } = stackEnv();
const gridDbName = `files_test_${process.pid}_${Date.now()}`;

contract('gridfs', async () => {
  const client = await MongoClient.connect(MONGO_URL, { serverSelectionTimeoutMS: 3_000 });
  const db = client.db(gridDbName);
  return {
    store: createGridFsStore({ db }),
    async leftovers(key) {
      const chunks = await db.collection('files.chunks').countDocuments({ files_id: key });
      const files = await db.collection('files.files').countDocuments({ _id: key as never });
      return [
        ...(chunks ? [`${chunks} chunks`] : []),
        ...(files ? [`${files} files documents`] : []),
      ];
    },
    async deadStore() {
      // The same timeout as packages/db's connections: a stopped server fails in ~3 s.
      const dead = new MongoClient(`mongodb://127.0.0.1:${await freePort()}`, {
        serverSelectionTimeoutMS: 3_000,
      });
      return { store: createGridFsStore({ db: dead.db('x') }), release: () => dead.close() };
    },
    async close() {
      await db.dropDatabase();
      await client.close();
    },
  };
});

describe('GridFS layout on this server', () => {
  let client: MongoClient;
  let db: Db;
  before(async () => {
    client = await MongoClient.connect(MONGO_URL);
    db = client.db(`${gridDbName}_layout`);
  });
  after(async () => {
    await db.dropDatabase();
    await client.close();
  });

  test('binary chunks of 255 KiB under a unique {files_id, n} index; a standard files document', async () => {
    const store = createGridFsStore({ db });
    const data = randomBytes(3 * GRIDFS_CHUNK + 5);
    await store.write('layout/a', Readable.from(chunksOf(data)), { contentType: 'image/png' });

    const chunks = await db
      .collection<{ files_id: string; n: number; data: { buffer: Uint8Array } }>('files.chunks')
      .find({ files_id: 'layout/a' })
      .sort({ n: 1 })
      .toArray();
    assert.deepEqual(
      chunks.map((c) => [c.n, c.data.buffer.length]),
      [
        [0, GRIDFS_CHUNK],
        [1, GRIDFS_CHUNK],
        [2, GRIDFS_CHUNK],
        [3, 5],
      ],
    );
    assert.ok(Buffer.concat(chunks.map((c) => c.data.buffer)).equals(data));

    const indexes = await db.collection('files.chunks').indexes();
    assert.ok(
      indexes.some((i) => JSON.stringify(i.key) === '{"files_id":1,"n":1}' && i.unique),
      `no unique {files_id, n} index: ${JSON.stringify(indexes)}`,
    );
    const file = await db.collection('files.files').findOne({ _id: 'layout/a' as never });
    assert.equal(file?.length, data.length);
    assert.equal(file?.chunkSize, GRIDFS_CHUNK);
    assert.deepEqual(file?.metadata, { contentType: 'image/png' });
  });

  test("the driver's chunk query of one file filters by files_id equality (pushed down on FerretDB)", async () => {
    // openDownloadStream with a start asks for {files_id, n: {$gte}} sorted by n.
    const plan = (await db
      .collection('files.chunks')
      .find({ files_id: 'layout/a', n: { $gte: 1 } })
      .sort({ n: 1 })
      .explain()) as { filterPushdown?: boolean; serverInfo?: { ferretdbVersion?: string } };
    // MongoDB uses the {files_id, n} index; FerretDB reports whether PostgreSQL got the filter.
    if (plan.serverInfo?.ferretdbVersion !== undefined) assert.equal(plan.filterPushdown, true);
  });
});

// --------------------------------------------------------------------------- S3

contract('s3', async () => {
  const server = await S3TestServer.start();
  const bucket = 'chat-files-test';
  const store = createS3Store({
    bucket,
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: server.credentials,
  });
  await store.ensureBucket();
  await store.ensureBucket(); // a second call finds it
  return {
    store,
    async leftovers(key) {
      const found: string[] = [];
      const uploads = await store.client.send(
        new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }),
      );
      if (uploads.Uploads?.length) found.push(`${uploads.Uploads.length} multipart uploads`);
      const exists = await store.client
        .send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
        .then(
          () => true,
          (err: unknown) => {
            if (err instanceof S3ServiceException && err.name === 'NotFound') return false;
            throw err;
          },
        );
      if (exists) found.push('an object');
      return found;
    },
    async deadStore() {
      const dead = createS3Store({
        bucket,
        region: 'us-east-1',
        endpoint: `http://127.0.0.1:${await freePort()}`,
        forcePathStyle: true,
        credentials: server.credentials,
      });
      return { store: dead, release: () => dead.close() };
    },
    async close() {
      await store.close();
      await server.stop();
    },
  };
});
