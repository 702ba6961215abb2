import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import mongoose from 'mongoose';
import { signToken } from '@chat/tokens';
import { TestSystem, uniqueName } from '../support/system.js';
import { rejectsWith } from '../support/errors.js';
import { waitFor } from '../support/wait.js';

// The test system runs with NODE_ENV=test, so processes use the development secrets below.
const ACCESS = {
  secret: 'dev-only-access-secret-0123456789abcdef',
  issuer: 'chat-auth',
  audience: 'chat-api',
};

describe('auth', () => {
  let system: TestSystem;
  let mongo: mongoose.Connection;
  before(async () => {
    // A quick outbox sweep, so a test can watch it publish what the broker never confirmed.
    system = await TestSystem.start({ env: { USER_CREATED_SWEEP_INTERVAL_MS: '300' } });
    mongo = await mongoose.createConnection(system.env.MONGO_URL!).asPromise();
  });
  after(async () => {
    await mongo?.close();
    await system?.stop();
  });

  describe('register', () => {
    test('creates an account and a session whose user is usable at once', async () => {
      const client = system.client();
      const username = uniqueName();
      const session = await client.register({
        username,
        email: `${username}@Example.TEST`,
        password: 'correct horse',
      });
      assert.equal(session.user.username, username);
      assert.equal(session.user.email, `${username}@example.test`, 'email is stored lower-case');
      assert.equal(session.user.displayName, username);
      assert.equal(session.user.avatar, null);
      assert.ok(
        Date.parse(session.accessTokenExpiresAt) > Date.now() + 14 * 60_000,
        'access token lives ~15 min',
      );
      const me = await client.api.user.me.query();
      assert.deepEqual(me, session.user);
    });

    test('a sign-up whose user.created the broker never confirmed is published by the sweep', async () => {
      // As a register leaves it when the broker is down: the account, flagged pending, no profile.
      const users = mongo.useDb(`${system.dbPrefix}auth`).collection('users');
      const profiles = mongo.useDb(`${system.dbPrefix}users`).collection('profiles');
      const username = uniqueName();
      const _id = new mongoose.Types.ObjectId();
      await users.insertOne({
        _id,
        username,
        email: `${username}@example.test`,
        passwordHash: 'not a hash: this account only needs its profile',
        createdAt: new Date(),
        createdEventPending: true,
        createdEventPublishedAt: null,
      });
      const profile = await waitFor(
        'the profile provisioned from user.created',
        async () => (await profiles.findOne({ _id: _id.toString() } as object)) ?? undefined,
      );
      assert.equal(profile.username, username);
      const account = await waitFor('the account no longer pending', async () => {
        const row = await users.findOne({ _id });
        return row?.createdEventPending === undefined ? (row ?? undefined) : undefined;
      });
      assert.ok(account.createdEventPublishedAt instanceof Date);
    });

    test('refuses a taken username or email with CONFLICT', async () => {
      const { username, email } = await system.user();
      const client = system.client();
      const byName = await rejectsWith(
        client.register({
          username,
          email: `${uniqueName()}@example.test`,
          password: 'password123',
        }),
        'CONFLICT',
      );
      assert.match(byName.message, /username/i);
      const byEmail = await rejectsWith(
        client.register({
          username: uniqueName(),
          email: email.toUpperCase(),
          password: 'password123',
        }),
        'CONFLICT',
      );
      assert.match(byEmail.message, /email/i);
    });

    test('two concurrent sign-ups with one username create one account', async () => {
      const username = uniqueName();
      const results = await Promise.allSettled(
        [1, 2].map((i) =>
          system.client().register({
            username,
            email: `${username}.${i}@example.test`,
            password: 'password123',
          }),
        ),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const failed = results.find((r) => r.status === 'rejected');
      assert.equal((failed?.reason as { data?: { code?: string } }).data?.code, 'CONFLICT');
    });

    const invalid: Array<[string, Record<string, unknown>, string]> = [
      ['a bad email', { email: 'not-an-email' }, 'email'],
      ['a 7-byte password', { password: 'seven77' }, 'password'],
      ['a 73-byte password', { password: 'é'.repeat(36) + 'x' }, 'password'],
      ['an upper-case username', { username: 'Alice' }, 'username'],
      ['a 2-character username', { username: 'ab' }, 'username'],
      ['a 33-character username', { username: 'a'.repeat(33) }, 'username'],
    ];
    for (const [what, override, field] of invalid) {
      test(`refuses ${what} with BAD_REQUEST naming the field`, async () => {
        const name = uniqueName();
        const input = {
          username: name,
          email: `${name}@example.test`,
          password: 'password123',
          ...override,
        };
        const err = await rejectsWith(system.client().register(input), 'BAD_REQUEST');
        assert.ok(err.data.zodError?.fieldErrors[field]?.length, `fieldErrors.${field} is set`);
      });
    }

    test('accepts a password of exactly 72 UTF-8 bytes', async () => {
      const name = uniqueName();
      const password = 'é'.repeat(36); // 72 bytes
      await system.client().register({ username: name, email: `${name}@example.test`, password });
      await system.client().login({ identifier: name, password });
    });

    test('rejects unknown keys', async () => {
      const name = uniqueName();
      const err = await rejectsWith(
        system.client().register({
          username: name,
          email: `${name}@example.test`,
          password: 'password123',
          admin: true,
        } as never),
        'BAD_REQUEST',
      );
      assert.match(err.data.zodError?.formErrors.join(' ') ?? '', /admin/);
    });
  });

  describe('login', () => {
    test('by username and by email (any case)', async () => {
      const { username, email, password, id } = await system.user();
      const byName = await system.client().login({ identifier: username, password });
      assert.equal(byName.user.id, id);
      const byEmail = await system.client().login({ identifier: email.toUpperCase(), password });
      assert.equal(byEmail.user.id, id);
    });

    test('wrong password and unknown user get the same UNAUTHORIZED answer', async () => {
      const { username } = await system.user();
      const wrong = await rejectsWith(
        system.client().login({ identifier: username, password: 'not-the-password' }),
        'UNAUTHORIZED',
      );
      const unknown = await rejectsWith(
        system.client().login({ identifier: uniqueName(), password: 'not-the-password' }),
        'UNAUTHORIZED',
      );
      assert.equal(wrong.message, unknown.message);
      assert.equal(wrong.data.httpStatus, unknown.data.httpStatus);
    });

    test('a password longer than 72 bytes never matches, even if its first 72 bytes do', async () => {
      const name = uniqueName();
      const password = 'p'.repeat(72);
      await system.client().register({ username: name, email: `${name}@example.test`, password });
      await rejectsWith(
        system.client().login({ identifier: name, password: password + 'extra' }),
        'UNAUTHORIZED',
      );
    });
  });

  describe('access tokens', () => {
    const meWith = (token: string) =>
      fetch(`${system.url}/trpc/user.me`, { headers: { authorization: `Bearer ${token}` } }).then(
        async (r) => ({
          status: r.status,
          body: (await r.json()) as {
            result?: { data: { id: string } };
            error?: { message: string; data: { code: string } };
          },
        }),
      );

    test('a query works with curl-style GET and a Bearer token', async () => {
      const { client, id } = await system.user();
      const res = await meWith(client.session!.accessToken);
      assert.equal(res.status, 200);
      assert.equal(res.body.result?.data.id, id);
    });

    test('no token, garbage, alg none, a forged signature, an expired token, a refresh token: all UNAUTHORIZED', async () => {
      const { client, id } = await system.user();
      const header = (obj: object) => Buffer.from(JSON.stringify(obj)).toString('base64url');
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        typ: 'access',
        sub: id,
        iss: ACCESS.issuer,
        aud: ACCESS.audience,
        iat: now,
        exp: now + 600,
        jti: 'x',
      };
      const algNone = `${header({ alg: 'none', typ: 'JWT' })}.${header(claims)}.`;
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode('some-other-secret-of-enough-length-1234'));
      const expired = (await signToken('access', { ...ACCESS, ttlSeconds: -10 }, { sub: id }))
        .token;
      const wrongAudience = (
        await signToken(
          'access',
          { ...ACCESS, audience: 'elsewhere', ttlSeconds: 600 },
          { sub: id },
        )
      ).token;
      const refreshAsAccess = client.session!.refreshToken;

      const noToken = await fetch(`${system.url}/trpc/user.me`);
      assert.equal(noToken.status, 401);
      for (const [what, token] of Object.entries({
        garbage: 'abc.def.ghi',
        algNone,
        forged,
        expired,
        wrongAudience,
        refreshAsAccess,
      })) {
        const res = await meWith(token);
        assert.equal(res.status, 401, what);
        assert.equal(res.body.error?.data.code, 'UNAUTHORIZED', what);
      }
      assert.match((await meWith(expired)).body.error!.message, /expired/i);
    });
  });

  describe('refresh and logout', () => {
    test('refresh rotates the pair; the new access token works', async () => {
      const { client, id } = await system.user();
      const before = client.session!;
      assert.equal(await client.refresh(), true);
      const after = client.session!;
      assert.notEqual(after.refreshToken, before.refreshToken);
      assert.notEqual(after.accessToken, before.accessToken);
      assert.equal((await client.api.user.me.query()).id, id);
    });

    test('an access token is not a refresh token', async () => {
      const { client } = await system.user();
      await rejectsWith(
        client.api.auth.refresh.mutate({ refreshToken: client.session!.accessToken }),
        'UNAUTHORIZED',
      );
    });

    test('reusing a refresh token revokes the whole login, descendants included', async () => {
      const { client } = await system.user();
      const first = client.session!.refreshToken;
      const second = await client.api.auth.refresh.mutate({ refreshToken: first });
      const third = await client.api.auth.refresh.mutate({ refreshToken: second.refreshToken });
      await rejectsWith(client.api.auth.refresh.mutate({ refreshToken: first }), 'UNAUTHORIZED');
      // The thief's use of `first` also ends the legitimate holder's newest token.
      await rejectsWith(
        client.api.auth.refresh.mutate({ refreshToken: third.refreshToken }),
        'UNAUTHORIZED',
      );
    });

    test('two concurrent refreshes of one token: at most one wins, and the login is revoked', async () => {
      const { client } = await system.user();
      const token = client.session!.refreshToken;
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => client.api.auth.refresh.mutate({ refreshToken: token })),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.ok(won.length <= 1, `${won.length} refreshes of one token succeeded`);
      for (const r of results) {
        if (r.status === 'rejected') {
          assert.equal((r.reason as { data?: { code?: string } }).data?.code, 'UNAUTHORIZED');
        }
      }
      // Reuse was detected, so whatever the winner got is dead too.
      for (const r of won) {
        await rejectsWith(
          client.api.auth.refresh.mutate({ refreshToken: r.value.refreshToken }),
          'UNAUTHORIZED',
        );
      }
    });

    test('another login of the same user is not affected by a revoked family', async () => {
      const { client, username, password } = await system.user();
      const other = system.client();
      await other.login({ identifier: username, password });
      const first = client.session!.refreshToken;
      await client.api.auth.refresh.mutate({ refreshToken: first });
      await rejectsWith(client.api.auth.refresh.mutate({ refreshToken: first }), 'UNAUTHORIZED');
      assert.equal(await other.refresh(), true);
    });

    test('logout ends the refresh token and its descendants', async () => {
      const { client } = await system.user();
      const original = client.session!.refreshToken;
      const child = await client.api.auth.refresh.mutate({ refreshToken: original });
      assert.deepEqual(await client.api.auth.logout.mutate({ refreshToken: child.refreshToken }), {
        ok: true,
      });
      await rejectsWith(
        client.api.auth.refresh.mutate({ refreshToken: child.refreshToken }),
        'UNAUTHORIZED',
      );
      await rejectsWith(client.api.auth.refresh.mutate({ refreshToken: original }), 'UNAUTHORIZED');
    });

    test('refresh and logout refuse garbage', async () => {
      const client = system.client();
      await rejectsWith(client.api.auth.refresh.mutate({ refreshToken: 'nope' }), 'UNAUTHORIZED');
      await rejectsWith(client.api.auth.logout.mutate({ refreshToken: 'nope' }), 'UNAUTHORIZED');
      await rejectsWith(client.api.auth.refresh.mutate({ refreshToken: '' }), 'BAD_REQUEST');
    });
  });
});
