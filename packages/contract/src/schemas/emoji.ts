import { z } from 'zod';

/**
 * One emoji as a reaction: a single grapheme built of Extended_Pictographic characters,
 * with variation selectors, skin-tone modifiers, tags and ZWJ joins between them
 * ("👍", "👍🏽", "❤️", "👩‍💻", "🏴󠁧󠁢󠁳󠁣󠁴󠁿"). Letters, digits, keycaps and two emoji side by side are not one.
 */
const EMOJI_SEQUENCE =
  /^\p{Extended_Pictographic}[\u{FE0F}\p{Emoji_Modifier}\u{E0020}-\u{E007F}]*(?:\u200D\p{Extended_Pictographic}[\u{FE0F}\p{Emoji_Modifier}\u{E0020}-\u{E007F}]*)*$/u;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export const isSingleEmoji = (value: string): boolean =>
  EMOJI_SEQUENCE.test(value) && [...graphemes.segment(value)].length === 1;

export const emojiSchema = z
  .string()
  .max(32, 'Not an emoji')
  .refine(isSingleEmoji, 'Must be exactly one emoji');
