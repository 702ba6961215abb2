import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clientEventSchema, passwordSchema, storedEventSchema } from '../src/index.js';

describe('passwords are measured in UTF-8 bytes without Buffer', () => {
  for (const [what, password, ok] of [
    ['72 bytes of 2-byte characters', 'é'.repeat(36), true],
    ['74 bytes of 2-byte characters', 'é'.repeat(37), false],
    ['72 bytes of 4-byte characters', '😀'.repeat(18), true],
    ['76 bytes of 4-byte characters', '😀'.repeat(19), false],
    ['7 ASCII bytes', 'x'.repeat(7), false],
  ] as const) {
    test(`${what}: ${ok ? 'accepted' : 'refused'}`, () => {
      assert.equal(Buffer.byteLength(password, 'utf8') <= 72, ok || password.length < 8);
      assert.equal(passwordSchema.safeParse(password).success, ok);
    });
  }
});

describe('client events', () => {
  test('a typing event is a client event but not a stored one', () => {
    const typing = { type: 'typing', conversationId: 'c1', userId: 'u1', isTyping: true };
    assert.deepEqual(clientEventSchema.parse(typing), typing);
    assert.equal(storedEventSchema.safeParse(typing).success, false);
  });

  test('an unknown type or a missing field is refused', () => {
    assert.equal(clientEventSchema.safeParse({ type: 'message.edited' }).success, false);
    assert.equal(
      clientEventSchema.safeParse({ type: 'message.deleted', conversationId: 'c1' }).success,
      false,
    );
  });
});
