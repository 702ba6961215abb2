import type { Readable } from 'node:stream';

/** A byte range, both ends inclusive (as in an HTTP `Range: bytes=start-end`). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where uploaded bytes live. Keys are opaque strings chosen by the caller
 * ([A-Za-z0-9._-/], ≤ 200 chars). Metadata (who, which conversation, kind) lives elsewhere:
 * a store only keeps bytes, so each driver stays small.
 */
export interface FileStore {
  /** `gridfs` or `s3`: for logs, metrics and /ready. */
  readonly driver: string;
  /**
   * Streams `body` under `key`; resolves with the bytes written once they are durable.
   * If `body` errors or `signal` aborts, rejects and leaves nothing readable under `key`
   * (no half-written file). Never buffers the whole body in memory.
   */
  write(
    key: string,
    body: Readable,
    options: { contentType: string; signal?: AbortSignal },
  ): Promise<{ size: number }>;
  /** The bytes of `key` (or of `range`); rejects with `FileNotFoundError` if absent. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /** Deletes `key`; resolves whether or not it existed. */
  remove(key: string): Promise<void>;
  /** Resolves when the backing service answers (for /ready and tests). */
  ping(): Promise<void>;
  /** Releases connections the store opened itself. */
  close(): Promise<void>;
}

export class FileNotFoundError extends Error {
  constructor(key: string) {
    super(`No stored file ${key}`);
    this.name = 'FileNotFoundError';
  }
}
