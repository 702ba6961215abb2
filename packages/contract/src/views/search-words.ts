/** Words a message is found by: at most this many distinct ones per message... */
export const MAX_SEARCH_WORDS = 200;
/** ...each at most this long (longer runs are cut: nobody searches for them whole). */
export const MAX_SEARCH_WORD_CHARS = 40;

/**
 * The words of a text as search sees them: Unicode letters and digits, case-folded and
 * NFKC-normalised ("Straße" → "straße", "ＡＢＣ" → "abc"), distinct, in order. The same
 * function splits a message when it is stored and a query when it is asked, so both agree.
 * Nothing here is a pattern: a query of `.*` or `(a+)+$` has no words or the literal ones.
 */
export function searchWords(text: string): string[] {
  const words = new Set<string>();
  for (const match of text
    .normalize('NFKC')
    .toLowerCase()
    .matchAll(/[\p{L}\p{N}]+/gu)) {
    words.add(match[0].slice(0, MAX_SEARCH_WORD_CHARS));
    if (words.size >= MAX_SEARCH_WORDS) break;
  }
  return [...words];
}
