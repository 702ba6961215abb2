import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  idSchema,
  loginInput,
  refreshInput,
  registerInput,
  setStatusInput,
  updateProfileInput,
  userByIdInput,
  userSearchInput,
} from '../src/schemas/index.js';

const valid = { username: 'alice_01', email: 'alice@example.test', password: 'password123' };

/** The distinct issue paths of a failed parse, sorted, e.g. ['password']. */
function failedPaths(result: {
  success: boolean;
  error?: { issues: Array<{ path: PropertyKey[] }> };
}) {
  assert.equal(result.success, false, 'expected the input to be refused');
  return [...new Set(result.error!.issues.map((i) => i.path.join('.')))].sort();
}

describe('registerInput', () => {
  test('accepts a valid sign-up', () => {
    assert.deepEqual(registerInput.parse(valid), valid);
  });

  test('username: 3–32 of [a-z0-9_]', () => {
    for (const ok of ['abc', 'a'.repeat(32), 'user_9', '___', '123']) {
      assert.ok(registerInput.safeParse({ ...valid, username: ok }).success, ok);
    }
    for (const bad of [
      'ab',
      'a'.repeat(33),
      'Alice',
      'al ice',
      'al-ice',
      'alice!',
      'élan',
      '',
      ' abc',
    ]) {
      assert.deepEqual(
        failedPaths(registerInput.safeParse({ ...valid, username: bad })),
        ['username'],
        bad,
      );
    }
  });

  test('email is trimmed and lower-cased; a bad email is refused', () => {
    assert.equal(
      registerInput.parse({ ...valid, email: '  Alice@Example.TEST ' }).email,
      'alice@example.test',
    );
    for (const bad of ['not-an-email', 'a@', '@b.test', '', `${'a'.repeat(250)}@example.test`]) {
      assert.deepEqual(
        failedPaths(registerInput.safeParse({ ...valid, email: bad })),
        ['email'],
        bad,
      );
    }
  });

  test('password: 8–72 UTF-8 bytes, counted in bytes not characters', () => {
    const accepts = (password: string) => registerInput.safeParse({ ...valid, password }).success;
    assert.equal(accepts('é'.repeat(36)), true, '36 × é = 72 bytes');
    assert.equal(accepts('é'.repeat(36) + 'x'), false, '73 bytes');
    assert.equal(accepts('seven77'), false, '7 ASCII bytes');
    assert.equal(accepts('eight888'), true, '8 ASCII bytes');
    assert.equal(accepts('p'.repeat(72)), true);
    assert.equal(accepts('p'.repeat(73)), false);
    assert.equal(accepts('éééé'), true, '4 characters but 8 bytes');
    assert.equal(accepts('😀'.repeat(18) + 'x'), false, '73 bytes of emoji');
    assert.deepEqual(failedPaths(registerInput.safeParse({ ...valid, password: 'short' })), [
      'password',
    ]);
  });

  test('unknown keys are refused', () => {
    const result = registerInput.safeParse({ ...valid, admin: true });
    assert.equal(result.success, false);
    assert.match(JSON.stringify(result.error?.issues), /admin/);
  });

  test('missing fields are refused', () => {
    assert.deepEqual(failedPaths(registerInput.safeParse({ username: 'alice' })), [
      'email',
      'password',
    ]);
  });
});

describe('other strict inputs reject unknown keys', () => {
  const cases: Array<
    [string, { safeParse(v: unknown): { success: boolean } }, Record<string, unknown>]
  > = [
    ['loginInput', loginInput, { identifier: 'alice', password: 'x' }],
    ['refreshInput', refreshInput, { refreshToken: 't' }],
    ['userByIdInput', userByIdInput, { userId: 'abc123' }],
    ['userSearchInput', userSearchInput, { query: 'al' }],
    ['updateProfileInput', updateProfileInput, { bio: 'hi' }],
    ['setStatusInput', setStatusInput, { status: 'away' }],
  ];
  for (const [name, schema, ok] of cases) {
    test(name, () => {
      assert.equal(schema.safeParse(ok).success, true, 'the valid base input parses');
      assert.equal(schema.safeParse({ ...ok, extra: 1 }).success, false, 'an extra key is refused');
    });
  }
});

describe('loginInput', () => {
  test('the identifier is trimmed and lower-cased', () => {
    assert.equal(
      loginInput.parse({ identifier: ' Alice@Example.TEST ', password: 'x' }).identifier,
      'alice@example.test',
    );
  });

  test('bounds the password so a huge body cannot cost a bcrypt round', () => {
    assert.equal(
      loginInput.safeParse({ identifier: 'a', password: 'p'.repeat(1024) }).success,
      true,
    );
    assert.equal(
      loginInput.safeParse({ identifier: 'a', password: 'p'.repeat(1025) }).success,
      false,
    );
    assert.equal(loginInput.safeParse({ identifier: 'a', password: '' }).success, false);
    assert.equal(loginInput.safeParse({ identifier: '   ', password: 'x' }).success, false);
  });
});

describe('userSearchInput', () => {
  test('limit defaults to 20; query is trimmed', () => {
    assert.deepEqual(userSearchInput.parse({ query: ' al ' }), { query: 'al', limit: 20 });
  });

  test('limit is an integer in 1–50', () => {
    for (const limit of [1, 50])
      assert.equal(userSearchInput.parse({ query: 'a', limit }).limit, limit);
    for (const limit of [0, 51, 2.5, -1, '10']) {
      assert.deepEqual(
        failedPaths(userSearchInput.safeParse({ query: 'a', limit })),
        ['limit'],
        String(limit),
      );
    }
  });

  test('query is 1–64 characters after trimming', () => {
    assert.equal(userSearchInput.safeParse({ query: 'q'.repeat(64) }).success, true);
    for (const query of ['', '   ', 'q'.repeat(65)]) {
      assert.deepEqual(
        failedPaths(userSearchInput.safeParse({ query })),
        ['query'],
        JSON.stringify(query),
      );
    }
  });

  test('cursor is optional, non-empty and bounded', () => {
    assert.equal(userSearchInput.parse({ query: 'a', cursor: 'abc' }).cursor, 'abc');
    assert.equal(userSearchInput.safeParse({ query: 'a', cursor: '' }).success, false);
    assert.equal(userSearchInput.safeParse({ query: 'a', cursor: 'c'.repeat(513) }).success, false);
  });
});

describe('updateProfileInput', () => {
  test('everything is optional', () => {
    assert.deepEqual(updateProfileInput.parse({}), {});
  });

  test('avatar must be an https URL (or null to remove it)', () => {
    assert.equal(
      updateProfileInput.parse({ avatar: 'https://cdn.example.test/a.png' }).avatar,
      'https://cdn.example.test/a.png',
    );
    assert.equal(updateProfileInput.parse({ avatar: null }).avatar, null);
    for (const bad of [
      'http://cdn.example.test/a.png',
      'javascript:alert(1)',
      'data:image/png;base64,AAAA',
      'not a url',
      '',
    ]) {
      assert.deepEqual(failedPaths(updateProfileInput.safeParse({ avatar: bad })), ['avatar'], bad);
    }
    const long = `https://cdn.example.test/${'a'.repeat(2048)}`;
    assert.deepEqual(failedPaths(updateProfileInput.safeParse({ avatar: long })), ['avatar']);
  });

  test('displayName 1–64 after trimming, bio ≤ 500', () => {
    assert.equal(updateProfileInput.parse({ displayName: '  Alice  ' }).displayName, 'Alice');
    assert.equal(updateProfileInput.safeParse({ displayName: '   ' }).success, false);
    assert.equal(updateProfileInput.safeParse({ displayName: 'd'.repeat(65) }).success, false);
    assert.equal(updateProfileInput.safeParse({ bio: 'b'.repeat(500) }).success, true);
    assert.equal(updateProfileInput.safeParse({ bio: 'b'.repeat(501) }).success, false);
  });
});

describe('ids and statuses', () => {
  test('idSchema accepts opaque ids and refuses junk', () => {
    assert.equal(idSchema.parse('65f1c0ffee0123456789abcd'), '65f1c0ffee0123456789abcd');
    for (const bad of ['', 'a'.repeat(65), '{"$gt":""}', 'a b', 'a/b', '$where']) {
      assert.equal(idSchema.safeParse(bad).success, false, bad);
    }
  });

  test('setStatusInput accepts the four statuses only', () => {
    for (const status of ['online', 'offline', 'away', 'busy'])
      assert.ok(setStatusInput.safeParse({ status }).success);
    assert.equal(setStatusInput.safeParse({ status: 'invisible' }).success, false);
  });
});
