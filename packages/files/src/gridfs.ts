import { setTimeout as sleep } from 'node:timers/promises';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import {
  GridFSBucket,
  MongoRuntimeError,
  type Collection,
  type Db,
  type GridFSBucketWriteStream,
  type ObjectId,
} from 'mongodb';
import { readBody } from './body.js';
import { readChunks, type ChunkDoc, type StoredFile } from './gridfs-read.js';
import { abortError, FileExistsError } from './errors.js';
import { assertKey, clampRange } from './keys.js';
import { FileNotFoundError, type ByteRange, type FileStore } from './store.js';

export interface GridFsStoreOptions {
  /** A connected database, e.g. `connection.db` of a mongoose Connection; the store never closes it. */
  db: Db;
  /** Collections `<bucketName>.files` and `<bucketName>.chunks`. */
  bucketName?: string;
}

type FilesDoc = StoredFile;

// GridFS's types ask for ObjectId ids; the driver stores and queries whatever `_id` it is
// given, and our keys are strings (`_id` of the files document = `files_id` of its chunks).
const asId = (key: string) => key as unknown as ObjectId;

/**
 * Files in MongoDB GridFS (`files.files` + `files.chunks` of 255 KiB). Works on MongoDB and
 * on FerretDB 1.24; every query of one file is a top-level equality on `_id` or `files_id`
 * (the only filters FerretDB pushes down to PostgreSQL — see README "GridFS on FerretDB").
 */
export function createGridFsStore({ db, bucketName = 'files' }: GridFsStoreOptions): FileStore {
  const bucket = new GridFSBucket(db, { bucketName });
  const files = db.collection<FilesDoc>(`${bucketName}.files`);
  const chunks = db.collection<ChunkDoc>(`${bucketName}.chunks`);

  return {
    driver: 'gridfs',

    async write(key, body, { contentType, signal }) {
      assertKey(key);
      if (signal?.aborted) throw abortError(signal);
      const { source, detach } = readBody(body, signal);
      try {
        if (await files.findOne({ _id: key }, { projection: { _id: 1 } }))
          throw new FileExistsError(key);
        // Chunks of an earlier write of this key that died before its files document
        // (process crash, database outage): the unique {files_id, n} index would refuse ours.
        await chunks.deleteMany({ files_id: key });
        const upload = bucket.openUploadStreamWithId(asId(key), key, {
          metadata: { contentType },
        });
        try {
          // No `signal` option here: it would destroy the upload while its final flush (the
          // files document) may still be written. The abort fails `source` instead, which
          // can't happen after the body ended — that case is handled below.
          await pipeline(source, upload);
        } catch (err) {
          await discard(upload, chunks, key);
          throw err;
        }
        if (signal?.aborted) {
          await removeKey(bucket, key);
          throw abortError(signal);
        }
        return { size: source.bytes };
      } catch (err) {
        source.destroy();
        // The abort, not whichever stream error it caused.
        throw signal?.aborted ? abortError(signal) : err;
      } finally {
        detach();
      }
    },

    async read(key: string, range?: ByteRange): Promise<Readable> {
      assertKey(key);
      // Checked first so a missing file rejects here instead of failing the stream later.
      const doc = await files.findOne({ _id: key }, { projection: { length: 1, chunkSize: 1 } });
      if (!doc) throw new FileNotFoundError(key);
      // Not bucket.openDownloadStream: it fetches the whole file at once (gridfs-read.ts).
      return readChunks(
        chunks,
        doc,
        range ? clampRange(range, doc.length) : { start: 0, end: doc.length - 1 },
      );
    },

    async remove(key) {
      assertKey(key);
      await removeKey(bucket, key);
    },

    async ping() {
      await db.command({ ping: 1 });
    },

    async close() {
      // The connection belongs to the caller.
    },
  };
}

/** Deletes the files document, then every chunk of the key (orphans too); absent is fine. */
async function removeKey(bucket: GridFSBucket, key: string): Promise<void> {
  try {
    await bucket.delete(asId(key));
  } catch (err) {
    // The driver's "not found" (after it has deleted any orphan chunks): nothing to remove.
    if (!(err instanceof MongoRuntimeError && err.message.startsWith('File not found'))) throw err;
  }
}

/**
 * Leaves no chunk of a failed upload. `abort()` deletes what was written so far, but a chunk
 * insert still in flight when the body failed can land after that delete, so this waits for
 * the upload's inserts to settle and deletes again. Best effort: with the database down the
 * deletes fail too, and the next `write` or `remove` of the key removes the leftovers.
 */
async function discard(
  upload: GridFSBucketWriteStream,
  chunks: Collection<ChunkDoc>,
  key: string,
): Promise<void> {
  try {
    if (!upload.state.streamEnd && !upload.state.aborted) await upload.abort();
    // A failed insert never decrements `outstandingRequests` (it marks the stream errored).
    const deadline = Date.now() + 30_000;
    while (upload.state.outstandingRequests > 0 && !upload.state.errored && Date.now() < deadline)
      await sleep(5);
    await chunks.deleteMany({ files_id: key });
  } catch {
    // The write's own error is what the caller needs to see.
  }
}
