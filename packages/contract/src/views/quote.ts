import { REPLY_PREVIEW_CHARS } from '../limits.js';

/** A reply's quote of a message: its first REPLY_PREVIEW_CHARS characters, "…" when cut. */
export const quoteOf = (content: string): string =>
  content.length > REPLY_PREVIEW_CHARS ? `${content.slice(0, REPLY_PREVIEW_CHARS - 1)}…` : content;
