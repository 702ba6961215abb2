import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertKey, clampRange } from '../src/keys.js';

test('keys: the characters and length the interface allows', () => {
  assertKey('conv/abc-123_x.y');
  assertKey('a'.repeat(200));
  for (const bad of ['', 'a'.repeat(201), 'a b', 'ä', 'a\nb', 'a?b', 'a#b'])
    assert.throws(() => assertKey(bad), TypeError, JSON.stringify(bad));
});

test('ranges: end clamped to the last byte; start past the end or reversed refused', () => {
  assert.deepEqual(clampRange({ start: 0, end: 0 }, 10), { start: 0, end: 0 });
  assert.deepEqual(clampRange({ start: 5, end: 100 }, 10), { start: 5, end: 9 });
  assert.throws(() => clampRange({ start: 10, end: 12 }, 10), RangeError);
  assert.throws(() => clampRange({ start: 3, end: 2 }, 10), RangeError);
  assert.throws(() => clampRange({ start: -1, end: 2 }, 10), RangeError);
  assert.throws(() => clampRange({ start: 0.5, end: 2 }, 10), RangeError);
  assert.throws(() => clampRange({ start: 0, end: 0 }, 0), RangeError);
});
