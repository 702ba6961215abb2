import { AppError } from '@chat/core';

const badCursor = () => new AppError('BAD_REQUEST', 'Invalid cursor');
const encode = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const decode = (cursor: string) => Buffer.from(cursor, 'base64url').toString('utf8');

/** History pages: the seq of the oldest message returned; the next page has `seq < cursor`. */
export const encodeSeqCursor = (seq: number): string => encode(`s${seq}`);

export function decodeSeqCursor(cursor: string): number {
  const m = /^s(\d{1,15})$/.exec(decode(cursor));
  if (!m) throw badCursor();
  return Number(m[1]);
}

/** Conversation pages: `updatedAt` (ms) and id of the last conversation returned. */
export const encodeActivityCursor = (updatedAt: Date, id: string): string =>
  encode(`a${new Date(updatedAt).getTime()}_${id}`);

export function decodeActivityCursor(cursor: string): { updatedAt: Date; id: string } {
  const m = /^a(\d{1,15})_([0-9a-f]{24})$/.exec(decode(cursor));
  if (!m) throw badCursor();
  return { updatedAt: new Date(Number(m[1])), id: m[2]! };
}
