import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { MAX_PASSWORD_BYTES, Passwords } from '../src/auth/passwords.js';

describe('Passwords', () => {
  let passwords: Passwords;
  before(async () => {
    passwords = await Passwords.create(4);
  });

  test('hash then verify', async () => {
    const hash = await passwords.hash('correct horse');
    assert.match(hash, /^\$2[aby]\$04\$/, 'a bcrypt hash of the configured cost');
    assert.equal(await passwords.verify('correct horse', hash), true);
  });

  test('hashes are salted', async () => {
    const [a, b] = await Promise.all([
      passwords.hash('same password'),
      passwords.hash('same password'),
    ]);
    assert.notEqual(a, b);
  });

  test('a wrong password is false', async () => {
    const hash = await passwords.hash('correct horse');
    assert.equal(await passwords.verify('correct horsE', hash), false);
    assert.equal(await passwords.verify('', hash), false);
  });

  test('an unknown user (undefined hash) is false, even for the dummy password', async () => {
    assert.equal(await passwords.verify('correct horse', undefined), false);
    assert.equal(await passwords.verify('dummy-password-for-timing', undefined), false);
  });

  test('multi-byte passwords up to 72 bytes work', async () => {
    const password = 'é'.repeat(36);
    assert.equal(Buffer.byteLength(password), MAX_PASSWORD_BYTES);
    const hash = await passwords.hash(password);
    assert.equal(await passwords.verify(password, hash), true);
    assert.equal(await passwords.verify('é'.repeat(35) + 'e', hash), false);
  });

  test('more than 72 bytes is false even when the first 72 match', async () => {
    const base = 'p'.repeat(72);
    const hash = await passwords.hash(base);
    assert.equal(await passwords.verify(base, hash), true);
    // bcrypt alone ignores everything after byte 72, so these would match without the length check.
    assert.equal(await passwords.verify(base + 'extra', hash), false);
    assert.equal(await passwords.verify(base + 'x', hash), false);
    const multi = 'é'.repeat(36);
    const multiHash = await passwords.hash(multi);
    assert.equal(await passwords.verify(multi + 'é', multiHash), false);
  });
});
