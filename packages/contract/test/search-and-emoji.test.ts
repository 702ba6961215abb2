import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isSingleEmoji, quoteOf, REPLY_PREVIEW_CHARS, searchWords } from '../src/index.js';

describe('searchWords', () => {
  test('letters and digits, case-folded, NFKC, distinct, in order', () => {
    assert.deepEqual(searchWords('The Quarterly REPORT, the report!'), [
      'the',
      'quarterly',
      'report',
    ]);
    assert.deepEqual(searchWords('ＡＢＣ 123 Straße'), ['abc', '123', 'straße']);
    assert.deepEqual(searchWords('日本語 テキスト'), ['日本語', 'テキスト']);
  });
  test('patterns are no words: nothing of them reaches a query as syntax', () => {
    assert.deepEqual(searchWords('.* ^$ [ \\ *'), []);
    assert.deepEqual(searchWords('(a+)+$'), ['a']);
  });
  test('bounded: 200 words of at most 40 characters', () => {
    const many = Array.from({ length: 500 }, (_, i) => `w${i}`).join(' ');
    assert.equal(searchWords(many).length, 200);
    assert.equal(searchWords('x'.repeat(1000))[0]!.length, 40);
  });
});

describe('isSingleEmoji', () => {
  test('one pictographic grapheme, with modifiers, VS16 and ZWJ sequences', () => {
    for (const ok of ['👍', '👍🏽', '❤️', '👩‍💻', '🏳️‍🌈', '😀', '🏴󠁧󠁢󠁳󠁣󠁴󠁿'])
      assert.equal(isSingleEmoji(ok), true, ok);
  });
  test('not letters, digits, keycaps, text emoticons or two emoji', () => {
    for (const bad of ['a', '1', '1️⃣', ':)', '👍👍', '👍 ', '', 'ab'])
      assert.equal(isSingleEmoji(bad), false, JSON.stringify(bad));
  });
});

test('quoteOf keeps REPLY_PREVIEW_CHARS characters, with … when cut', () => {
  assert.equal(quoteOf('short'), 'short');
  const cut = quoteOf('x'.repeat(500));
  assert.equal(cut.length, REPLY_PREVIEW_CHARS);
  assert.ok(cut.endsWith('…'));
});
