import { attachmentsPreview } from '../files/format';
import type { Quote } from './replyStore';

/** What a quote shows: its text, a file summary, or that the original is gone. */
export function quoteText(quote: Quote): string {
  if (quote.deleted) return 'Original message was deleted';
  if (quote.type === 'text') return quote.content;
  return attachmentsPreview(quote.type, quote.content, undefined);
}
