import { Readable } from 'node:stream';
import { Binary, type Collection } from 'mongodb';
import type { ByteRange } from './store.js';

export interface ChunkDoc {
  files_id: string;
  n: number;
  data: Binary;
}

export interface StoredFile {
  _id: string;
  length: number;
  chunkSize: number;
}

/** Chunks per round trip: ~1 MiB of 255 KiB chunks held per reader. */
export const CHUNKS_PER_BATCH = 4;

/**
 * Streams bytes `start`..`end` (inclusive) of a GridFS file, a few chunks per round trip.
 * Why not `GridFSBucket.openDownloadStream`: its cursor sets no batch size, so the server
 * sends the whole file in its first batch (up to a 16 MiB reply), which the reader holds:
 * ten concurrent downloads of 20 MiB grew the gateway's RSS by ~220 MiB. The chunk checks
 * are the driver's (no gap, no extra chunk, every chunk full but the last).
 */
export function readChunks(
  chunks: Collection<ChunkDoc>,
  file: StoredFile,
  { start, end }: ByteRange,
): Readable {
  const { chunkSize, length } = file;
  if (length === 0) return Readable.from([]);
  const first = Math.floor(start / chunkSize);
  const last = Math.floor(end / chunkSize);
  const whole = first === 0 && last === Math.ceil(length / chunkSize) - 1;
  // An equality on files_id (pushed down on FerretDB), and for a range its chunks only.
  const cursor = chunks
    .find(
      { files_id: file._id, ...(whole ? {} : { n: { $gte: first, $lte: last } }) },
      { batchSize: CHUNKS_PER_BATCH, projection: { _id: 0, n: 1, data: 1 } },
    )
    .sort({ n: 1 });
  let expected = first;
  let reading = false;

  return new Readable({
    read() {
      if (reading) return;
      reading = true;
      cursor.next().then(
        (doc) => {
          reading = false;
          if (this.destroyed) return;
          if (!doc) {
            if (expected <= last)
              return this.destroy(new Error(`GridFS file ${file._id}: chunk ${expected} missing`));
            this.push(null);
            return;
          }
          const want = Math.min(chunkSize, length - doc.n * chunkSize);
          const data = bytesOf(doc.data);
          if (doc.n !== expected || data.length !== want)
            return this.destroy(
              new Error(
                `GridFS file ${file._id}: got chunk ${doc.n} of ${data.length} bytes, ` +
                  `expected chunk ${expected} of ${want}`,
              ),
            );
          const from = doc.n === first ? start - first * chunkSize : 0;
          const to = doc.n === last ? end - last * chunkSize + 1 : data.length;
          expected++;
          this.push(data.subarray(from, to));
        },
        (err: Error) => this.destroy(err),
      );
    },
    destroy(err, done) {
      cursor.close().then(
        () => done(err),
        () => done(err),
      );
    },
  });
}

/** A chunk's bytes as a Buffer view (no copy). */
function bytesOf(data: Binary | Buffer): Buffer {
  if (Buffer.isBuffer(data)) return data;
  const bytes = data.buffer.subarray(0, data.position);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
