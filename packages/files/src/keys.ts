import type { ByteRange } from './store.js';

const KEY = /^[A-Za-z0-9._\-/]{1,200}$/;

/** Keys are chosen by the caller; a bad one is a bug, never something to store. */
export function assertKey(key: string): void {
  if (!KEY.test(key)) throw new TypeError(`Invalid file key ${JSON.stringify(key.slice(0, 210))}`);
}

/**
 * The inclusive range to read of a file of `size` bytes: `end` is clamped to the last byte
 * (as HTTP does); a range that starts past the end, or is reversed, is a `RangeError`.
 */
export function clampRange(range: ByteRange, size: number): ByteRange {
  checkRange(range);
  const { start, end } = range;
  if (start >= size)
    throw new RangeError(`Byte range ${start}-${end} starts past the end (${size} bytes)`);
  return { start, end: Math.min(end, size - 1) };
}

/** Rejects a range that could never be satisfied: negative, reversed or not whole numbers. */
export function checkRange({ start, end }: ByteRange): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start)
    throw new RangeError(`Invalid byte range ${start}-${end}`);
}
