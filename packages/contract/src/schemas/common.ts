import { z } from 'zod';

/**
 * What every string a client sends must satisfy, whatever the field:
 * - no NUL (U+0000): PostgreSQL (behind FerretDB) can't store it in text, and C libraries
 *   (bcrypt) stop reading at it;
 * - no lone UTF-16 surrogate: it has no UTF-8 form, so the database driver would silently
 *   store U+FFFD instead of what was sent.
 */
/* eslint-disable no-control-regex -- these patterns exist to find control characters */
const NUL = /\u0000/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/**
 * C0 and C1 control characters and DEL: invisible, and they can rewrite a terminal or a log.
 * NUL is left to its own check, so it gets one message, not two.
 */
const CONTROL = /[\u0001-\u001f\u007f-\u009f]/;
/** The same, minus tab (U+0009) and line feed (U+000A), which multi-line text may hold. */
const CONTROL_IN_TEXT = /[\u0001-\u0008\u000b-\u001f\u007f-\u009f]/;
/* eslint-enable no-control-regex */

export const NUL_MESSAGE = 'must not contain NUL (\\u0000) characters';
export const SURROGATE_MESSAGE = 'contains a broken character (a lone UTF-16 surrogate)';
export const CONTROL_MESSAGE = 'must not contain control characters';
export const CONTROL_IN_TEXT_MESSAGE =
  'must not contain control characters (line breaks and tabs are fine)';

const noNul = z.refine<string>((s) => !NUL.test(s), NUL_MESSAGE);
const noLoneSurrogate = z.refine<string>((s) => !LONE_SURROGATE.test(s), SURROGATE_MESSAGE);

/**
 * Checks for every string a client sends, by kind of text; add them after any `.trim()` so
 * they judge what is kept: `z.string().trim().max(64).check(...oneLine)`.
 */
export const storable = [noNul, noLoneSurrogate];
/** Names and other one-line values shown to people (display name, group name, search). */
export const oneLine = [...storable, z.refine<string>((s) => !CONTROL.test(s), CONTROL_MESSAGE)];
/** Multi-line text (message content, bio, description): \n and \t allowed, other controls not. */
export const multiLine = [
  ...storable,
  z.refine<string>((s) => !CONTROL_IN_TEXT.test(s), CONTROL_IN_TEXT_MESSAGE),
];

/** A string the store can hold exactly as sent (passwords, tokens, cursors). */
export const safeString = () => z.string().check(...storable);

/** Ids are opaque strings (Mongo ObjectIds today); bounded so junk can't reach a query. */
export const idSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'Invalid id');

export const cursorSchema = safeString().min(1).max(512);

export const httpsUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .check(...oneLine)
  .url()
  .refine((v) => v.startsWith('https://'), 'Must be an https URL')
  .describe('https URL');

export const isoDate = z.string();

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
export type Page<T> = { items: T[]; nextCursor: string | null };
