import { Transform, type TransformCallback } from 'node:stream';

/** Bytes kept from the start of an upload: enough for every magic number file-type reads. */
export const HEAD_BYTES = 4100;

export class TooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`File is larger than ${limit} bytes`);
    this.name = 'TooLargeError';
  }
}

/**
 * Passes an upload through unchanged while counting it, keeping its first HEAD_BYTES for
 * type detection, and failing the stream as soon as it passes `limit` (so nothing beyond
 * the limit is read or stored).
 */
export class ByteCounter extends Transform {
  bytes = 0;
  private readonly headChunks: Buffer[] = [];
  private headLength = 0;

  constructor(private readonly limit: number) {
    super();
  }

  get head(): Buffer {
    return Buffer.concat(this.headChunks, this.headLength);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) return done(new TooLargeError(this.limit));
    if (this.headLength < HEAD_BYTES) {
      const part = chunk.subarray(0, HEAD_BYTES - this.headLength);
      this.headChunks.push(Buffer.from(part));
      this.headLength += part.length;
    }
    done(null, chunk);
  }
}
