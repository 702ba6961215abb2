/**
 * An upload body of `size` random bytes made on the fly (64 KiB at a time: the client never
 * holds the file), with the SHA-256 of the whole and of one byte range, so a download or a
 * range read can be checked without keeping the bytes.
 */
import { createHash, randomFillSync, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';

const CHUNK = 64 * 1024;

export interface ByteRange {
  start: number;
  /** Inclusive, as in HTTP. */
  end: number;
}

export class RandomBody extends Readable {
  private sent = 0;
  private readonly whole = createHash('sha256');
  private readonly part: Hash | null;
  private digests: { whole: string; range: string | null } | null = null;

  constructor(
    readonly size: number,
    private readonly range: ByteRange | null = null,
  ) {
    super({ highWaterMark: CHUNK });
    this.part = range ? createHash('sha256') : null;
  }

  override _read(): void {
    const n = Math.min(CHUNK, this.size - this.sent);
    if (n <= 0) {
      this.finishDigests();
      this.push(null);
      return;
    }
    // A fresh buffer each time: the socket may still hold the previous one.
    const chunk = randomFillSync(Buffer.allocUnsafe(n));
    this.whole.update(chunk);
    if (this.range && this.part) {
      const from = Math.max(this.range.start, this.sent);
      const to = Math.min(this.range.end + 1, this.sent + n);
      if (from < to) this.part.update(chunk.subarray(from - this.sent, to - this.sent));
    }
    this.sent += n;
    this.push(chunk);
  }

  private finishDigests(): void {
    this.digests ??= { whole: this.whole.digest('hex'), range: this.part?.digest('hex') ?? null };
  }

  /** SHA-256 (hex) of every byte and of the watched range; only once the body has ended. */
  get sha256(): { whole: string; range: string | null } {
    if (!this.digests) throw new Error('the body has not been read to its end yet');
    return this.digests;
  }
}
