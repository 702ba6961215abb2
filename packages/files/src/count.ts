import { Transform } from 'node:stream';

/** A pass-through that counts the bytes it forwards (the size `write` reports). */
export class ByteCounter extends Transform {
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.bytes += chunk.length;
    this.push(chunk);
    callback();
  }
}
