import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { Bus } from '@chat/bus';
import { createLogger } from '@chat/core';
import { connectDb, usersModels, type Connection, type UsersModels } from '@chat/db';
import { redisKeys, type PublicUser } from '@chat/api';
import { TestSystem, uniqueName, type TestUser } from '../support/system.js';
import { rejectsWith } from '../support/errors.js';
import { sleep, waitFor } from '../support/wait.js';

const log = createLogger({ service: 'test', level: 'silent' });

/** An id in the format the auth worker hands out (a Mongo ObjectId) that nobody registered. */
const unknownId = () => randomBytes(12).toString('hex');

/** A lower-case token that no other user's name contains. */
const token = () => randomBytes(4).toString('hex');

/**
 * Opens an events.stream subscription for `u` on a client of its own (its own WebSocket)
 * and waits until the user shows as connected. Presence (docs/api.md): a user without an open
 * socket is 'offline' to everyone, whatever status they chose (not for users who chose
 * 'offline'). Returns a disconnect function.
 */
async function connect(system: TestSystem, u: TestUser): Promise<() => void> {
  const client = system.client({ session: u.client.session });
  const sub = client.api.events.stream.subscribe(undefined, { onData: () => undefined });
  await waitFor(
    'the socket to count as present',
    async () => (await u.client.api.user.me.query()).status !== 'offline',
  );
  return () => {
    sub.unsubscribe();
    client.close();
  };
}

/** What every user looks like to others right after sign-up. */
const freshPublic = (u: TestUser): PublicUser => ({
  id: u.id,
  username: u.username,
  displayName: u.username,
  avatar: null,
  bio: '',
  status: 'offline',
  lastSeen: null,
});

describe('user', () => {
  let system: TestSystem;
  before(async () => {
    system = await TestSystem.start();
  });
  after(() => system.stop());

  describe('me', () => {
    test('returns Me, with email and default profile fields, right after sign-up', async () => {
      const u = await system.user();
      const me = await u.client.api.user.me.query();
      assert.deepEqual(me, { ...freshPublic(u), email: u.email });
    });

    test('without a token: UNAUTHORIZED', async () => {
      await rejectsWith(system.client().api.user.me.query(), 'UNAUTHORIZED');
    });
  });

  describe('byId', () => {
    test("returns another user's PublicUser, with no email key at all", async () => {
      const [alice, bob] = await Promise.all([system.user(), system.user()]);
      const seen = await alice.client.api.user.byId.query({ userId: bob.id });
      assert.deepEqual(seen, freshPublic(bob));
      // deepEqual already fails on extra keys; this names the privacy rule explicitly.
      assert.equal(Object.hasOwn(seen, 'email'), false, 'email must not leak to other users');
    });

    test('an unknown id: NOT_FOUND (also at the 64-character bound)', async () => {
      const { client } = await system.user();
      await rejectsWith(client.api.user.byId.query({ userId: unknownId() }), 'NOT_FOUND');
      await rejectsWith(client.api.user.byId.query({ userId: 'a'.repeat(64) }), 'NOT_FOUND');
    });

    for (const [what, userId] of [
      ['a path', '../x'],
      ['an empty id', ''],
      ['a 65-character id', 'a'.repeat(65)],
      ['an operator-looking id', '{"$ne":null}'],
    ]) {
      test(`${what}: BAD_REQUEST naming userId`, async () => {
        const { client } = await system.user();
        const err = await rejectsWith(
          client.api.user.byId.query({ userId: userId! }),
          'BAD_REQUEST',
        );
        assert.ok(err.data.zodError?.fieldErrors.userId?.length, 'fieldErrors.userId is set');
      });
    }

    test('unknown keys: BAD_REQUEST', async () => {
      const [alice, bob] = await Promise.all([system.user(), system.user()]);
      const err = await rejectsWith(
        alice.client.api.user.byId.query({ userId: bob.id, withEmail: true } as never),
        'BAD_REQUEST',
      );
      assert.match(err.data.zodError?.formErrors.join(' ') ?? '', /withEmail/);
    });

    test('without a token: UNAUTHORIZED', async () => {
      const bob = await system.user();
      await rejectsWith(system.client().api.user.byId.query({ userId: bob.id }), 'UNAUTHORIZED');
    });
  });

  describe('search', () => {
    // 22 users whose usernames share a token: more than the default page of 20.
    const shared = token();
    let tagged: TestUser[];
    let searcher: TestUser; // matches nothing itself, so sees all 22
    before(async () => {
      searcher = await system.user();
      tagged = await Promise.all(
        Array.from({ length: 22 }, async (_, i) => {
          const username = `s${shared}_${String(i).padStart(2, '0')}`;
          const email = `${username}@example.test`;
          const password = `pw-${username}`;
          const client = system.client();
          const session = await client.register({ username, email, password });
          return { client, id: session.user.id, username, email, password };
        }),
      );
    });

    test('matches a username substring case-insensitively', async () => {
      const target = tagged[7]!;
      const res = await searcher.client.api.user.search.query({
        query: target.username.toUpperCase(),
      });
      assert.deepEqual(res, { items: [freshPublic(target)], nextCursor: null });
    });

    test('matches a mixed-case displayName by a lower-case fragment', async () => {
      const [target, other] = await Promise.all([system.user(), system.user()]);
      const mark = token();
      // Upper-case hex digits give a mixed-case name; the username does not contain `mark`.
      const displayName = `Captain ${mark.toUpperCase()}Nemo`;
      await target.client.api.user.updateProfile.mutate({ displayName });
      const res = await other.client.api.user.search.query({ query: `${mark}nem` });
      assert.deepEqual(
        res.items.map((u) => [u.id, u.displayName]),
        [[target.id, displayName]],
      );
      assert.equal(Object.hasOwn(res.items[0]!, 'email'), false, 'results are PublicUser');
    });

    test('never returns the caller', async () => {
      const caller = tagged[3]!;
      const res = await caller.client.api.user.search.query({ query: shared, limit: 50 });
      const ids = res.items.map((u) => u.id);
      assert.equal(ids.includes(caller.id), false, 'the caller is not in their own results');
      assert.equal(ids.length, 21, 'everybody else with the token is');
      // Even searching one's exact username finds nobody.
      const own = await caller.client.api.user.search.query({ query: caller.username });
      assert.deepEqual(own, { items: [], nextCursor: null });
    });

    test('limit defaults to 20 and the page says there is more', async () => {
      const res = await searcher.client.api.user.search.query({ query: shared });
      assert.equal(res.items.length, 20);
      assert.equal(typeof res.nextCursor, 'string');
    });

    test('pages with nextCursor: every match exactly once, then nextCursor null', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      for (;;) {
        const res = await searcher.client.api.user.search.query({
          query: shared,
          limit: 2,
          cursor,
        });
        pages++;
        assert.ok(res.items.length <= 2, `page ${pages} respects the limit`);
        seen.push(...res.items.map((u) => u.id));
        if (res.nextCursor === null) break;
        assert.equal(res.items.length, 2, 'only the last page may be short');
        cursor = res.nextCursor;
        assert.ok(pages < 30, 'pagination terminates');
      }
      assert.equal(new Set(seen).size, seen.length, 'no user appears twice');
      assert.deepEqual([...seen].sort(), tagged.map((u) => u.id).sort(), 'every user appears once');
      assert.equal(pages, 11, '22 users at 2 per page');
    });

    test('a tampered cursor: BAD_REQUEST', async () => {
      const first = await searcher.client.api.user.search.query({ query: shared, limit: 2 });
      assert.ok(first.nextCursor);
      const decoded = Buffer.from(first.nextCursor, 'base64url').toString('utf8');
      const tampered = [
        '%%%not-a-cursor%%%',
        Buffer.from(`${decoded}"}`, 'utf8').toString('base64url'),
        Buffer.from(decoded.toUpperCase(), 'utf8').toString('base64url'),
        Buffer.from('{"$gt":""}', 'utf8').toString('base64url'),
      ];
      for (const cursor of tampered) {
        await rejectsWith(
          searcher.client.api.user.search.query({ query: shared, cursor }),
          'BAD_REQUEST',
        );
      }
    });

    test('regex metacharacters are matched literally', async () => {
      const [target, other] = await Promise.all([system.user(), system.user()]);
      const mark = token();
      const displayName = `re ${mark} a.*(b[`;
      await target.client.api.user.updateProfile.mutate({ displayName });
      // `.*` as a regex would match everybody; literally only names containing ".*".
      for (const query of ['.*', `${mark} a.*(b[`, '(', '[', '\\', '^', '$', '+?', '|']) {
        const res = await other.client.api.user.search.query({ query, limit: 50 });
        for (const u of res.items) {
          const hit = u.username.includes(query) || u.displayName.toLowerCase().includes(query);
          assert.ok(hit, `${JSON.stringify(query)} matched ${u.username} / ${u.displayName}`);
        }
        if (displayName.includes(query)) {
          assert.ok(
            res.items.some((u) => u.id === target.id),
            `${JSON.stringify(query)} finds the name containing it`,
          );
        }
      }
    });

    const invalid: Array<[string, Record<string, unknown>, string]> = [
      ['an empty query', { query: '' }, 'query'],
      ['a blank query', { query: '   ' }, 'query'],
      ['a 65-character query', { query: 'a'.repeat(65) }, 'query'],
      ['limit 0', { query: 'a', limit: 0 }, 'limit'],
      ['limit 51', { query: 'a', limit: 51 }, 'limit'],
      ['a fractional limit', { query: 'a', limit: 1.5 }, 'limit'],
      ['an empty cursor', { query: 'a', cursor: '' }, 'cursor'],
    ];
    for (const [what, input, field] of invalid) {
      test(`${what}: BAD_REQUEST naming ${field}`, async () => {
        const err = await rejectsWith(
          searcher.client.api.user.search.query(input as never),
          'BAD_REQUEST',
        );
        assert.ok(err.data.zodError?.fieldErrors[field]?.length, `fieldErrors.${field} is set`);
      });
    }

    test('limit bounds 1 and 50 and a 64-character query are accepted', async () => {
      const one = await searcher.client.api.user.search.query({ query: shared, limit: 1 });
      assert.equal(one.items.length, 1);
      const fifty = await searcher.client.api.user.search.query({ query: shared, limit: 50 });
      assert.deepEqual(
        { count: fifty.items.length, nextCursor: fifty.nextCursor },
        { count: 22, nextCursor: null },
      );
      const long = await searcher.client.api.user.search.query({ query: 'a'.repeat(64) });
      assert.deepEqual(long, { items: [], nextCursor: null });
    });
  });

  describe('updateProfile', () => {
    test('sets a trimmed displayName, bio and avatar; returns Me and user.me shows it', async () => {
      const u = await system.user();
      const avatar = 'https://cdn.example.test/a/ada.png';
      const bio = 'Analyst. '.repeat(10).trim();
      const updated = await u.client.api.user.updateProfile.mutate({
        displayName: '  Ada L.  ',
        bio,
        avatar,
      });
      const expected = { ...freshPublic(u), email: u.email, displayName: 'Ada L.', bio, avatar };
      assert.deepEqual(updated, expected);
      assert.deepEqual(await u.client.api.user.me.query(), expected);
    });

    test('changes only the fields given', async () => {
      const u = await system.user();
      await u.client.api.user.updateProfile.mutate({ displayName: 'Grace', bio: 'COBOL' });
      const me = await u.client.api.user.updateProfile.mutate({ bio: 'compilers' });
      assert.equal(me.displayName, 'Grace');
      assert.equal(me.bio, 'compilers');
    });

    test('accepts the bounds: 64-char displayName, 500-char bio, 2048-char https avatar', async () => {
      const u = await system.user();
      const displayName = 'D'.repeat(64);
      const bio = 'b'.repeat(500);
      const prefix = 'https://cdn.example.test/';
      const avatar = prefix + 'x'.repeat(2048 - prefix.length);
      const me = await u.client.api.user.updateProfile.mutate({ displayName, bio, avatar });
      assert.deepEqual([me.displayName, me.bio, me.avatar], [displayName, bio, avatar]);
    });

    test('avatar null clears it', async () => {
      const u = await system.user();
      await u.client.api.user.updateProfile.mutate({ avatar: 'https://cdn.example.test/x.png' });
      const cleared = await u.client.api.user.updateProfile.mutate({ avatar: null });
      assert.equal(cleared.avatar, null);
      assert.equal((await u.client.api.user.me.query()).avatar, null);
    });

    const invalid: Array<[string, Record<string, unknown>, string]> = [
      ['an empty displayName', { displayName: '' }, 'displayName'],
      ['a blank displayName', { displayName: '   ' }, 'displayName'],
      ['a 65-character displayName', { displayName: 'D'.repeat(65) }, 'displayName'],
      ['a 501-character bio', { bio: 'b'.repeat(501) }, 'bio'],
      ['an http avatar', { avatar: 'http://cdn.example.test/x.png' }, 'avatar'],
      ['a javascript: avatar', { avatar: 'javascript:alert(1)' }, 'avatar'],
      ['a non-URL avatar', { avatar: 'not a url' }, 'avatar'],
      [
        'a 2049-character avatar',
        { avatar: 'https://cdn.example.test/' + 'x'.repeat(2049 - 25) },
        'avatar',
      ],
    ];
    for (const [what, input, field] of invalid) {
      test(`${what}: BAD_REQUEST naming ${field}, nothing changed`, async () => {
        const u = await system.user();
        const err = await rejectsWith(u.client.api.user.updateProfile.mutate(input), 'BAD_REQUEST');
        assert.ok(err.data.zodError?.fieldErrors[field]?.length, `fieldErrors.${field} is set`);
        assert.deepEqual(await u.client.api.user.me.query(), { ...freshPublic(u), email: u.email });
      });
    }

    test('username, email and status are not editable here (unknown keys: BAD_REQUEST)', async () => {
      const u = await system.user();
      for (const key of ['username', 'email', 'status']) {
        const err = await rejectsWith(
          u.client.api.user.updateProfile.mutate({ displayName: 'x', [key]: 'online' }),
          'BAD_REQUEST',
        );
        assert.match(err.data.zodError?.formErrors.join(' ') ?? '', new RegExp(key));
      }
      assert.deepEqual(await u.client.api.user.me.query(), { ...freshPublic(u), email: u.email });
    });

    test('without a token: UNAUTHORIZED', async () => {
      await rejectsWith(
        system.client().api.user.updateProfile.mutate({ bio: 'x' }),
        'UNAUTHORIZED',
      );
    });
  });

  describe('profile cache', () => {
    let redis: Redis;
    before(() => {
      redis = new Redis(system.env.REDIS_URL!);
    });
    after(() => redis.disconnect());

    test('byId warms profile:{id} (TTL ≤ 5 min); an update is visible to others at once', async () => {
      const [alice, bob] = await Promise.all([system.user(), system.user()]);
      const key = redisKeys.profileCache(bob.id);
      await alice.client.api.user.byId.query({ userId: bob.id });
      assert.equal(await redis.exists(key), 1, 'byId cached the profile');
      const ttl = await redis.ttl(key);
      assert.ok(ttl > 0 && ttl <= 300, `TTL ${ttl} s is within (0, 300]`);

      await bob.client.api.user.updateProfile.mutate({
        displayName: 'Bob Renamed',
        bio: 'new bio',
      });
      // The cache entry is gone or already holds the new profile — never the old one.
      const raw = await redis.get(key);
      if (raw !== null) {
        // Entries are `{ v: <row version>, me: <profile> }` so stale readers can't overwrite them.
        const cached = (JSON.parse(raw) as { me: { displayName: string; bio: string } }).me;
        assert.deepEqual([cached.displayName, cached.bio], ['Bob Renamed', 'new bio']);
      }
      const seen = await alice.client.api.user.byId.query({ userId: bob.id });
      assert.deepEqual([seen.displayName, seen.bio], ['Bob Renamed', 'new bio']);
    });

    test('every kind of change invalidates: avatar cleared, status set', async () => {
      const [alice, bob] = await Promise.all([system.user(), system.user()]);
      await bob.client.api.user.updateProfile.mutate({ avatar: 'https://cdn.example.test/b.png' });
      assert.equal(
        (await alice.client.api.user.byId.query({ userId: bob.id })).avatar,
        'https://cdn.example.test/b.png',
      );
      await bob.client.api.user.updateProfile.mutate({ avatar: null });
      assert.equal((await alice.client.api.user.byId.query({ userId: bob.id })).avatar, null);
      const disconnect = await connect(system, bob);
      try {
        assert.equal((await alice.client.api.user.byId.query({ userId: bob.id })).status, 'online');
        await bob.client.api.user.setStatus.mutate({ status: 'busy' });
        assert.equal((await alice.client.api.user.byId.query({ userId: bob.id })).status, 'busy');
      } finally {
        disconnect();
      }
    });
  });

  describe('setStatus', () => {
    for (const status of ['away', 'busy', 'online'] as const) {
      test(`'${status}' shows in me and in byId seen by another user while connected`, async () => {
        const [alice, bob] = await Promise.all([system.user(), system.user()]);
        const disconnect = await connect(system, bob);
        try {
          // Warm the cache first so a missing invalidation would show.
          assert.equal(
            (await alice.client.api.user.byId.query({ userId: bob.id })).status,
            'online',
          );
          await bob.client.api.user.setStatus.mutate({
            status: status === 'online' ? 'away' : 'online',
          });
          const me = await bob.client.api.user.setStatus.mutate({ status });
          assert.equal(me.status, status);
          assert.equal(me.email, bob.email, 'returns Me');
          assert.equal((await bob.client.api.user.me.query()).status, status);
          assert.equal((await alice.client.api.user.byId.query({ userId: bob.id })).status, status);
        } finally {
          disconnect();
        }
      });
    }

    test('without an open socket the user is offline to everyone, whatever they chose; it shows once connected', async () => {
      const [alice, bob] = await Promise.all([system.user(), system.user()]);
      const me = await bob.client.api.user.setStatus.mutate({ status: 'away' });
      assert.deepEqual([me.status, me.lastSeen], ['offline', null]);
      assert.equal((await alice.client.api.user.byId.query({ userId: bob.id })).status, 'offline');
      const disconnect = await connect(system, bob);
      try {
        assert.equal((await alice.client.api.user.byId.query({ userId: bob.id })).status, 'away');
      } finally {
        disconnect();
      }
      // The last socket closed: offline, with lastSeen.
      const seen = await waitFor('offline after disconnecting', async () => {
        const p = await alice.client.api.user.byId.query({ userId: bob.id });
        return p.status === 'offline' && p;
      });
      assert.ok(seen.lastSeen, 'lastSeen is set when the user goes offline');
    });

    test("'offline' while connected (invisible) sets lastSeen to a recent ISO date, visible to others", async () => {
      const [alice, bob] = await Promise.all([system.user(), system.user()]);
      const disconnect = await connect(system, bob);
      try {
        assert.equal(
          (await bob.client.api.user.setStatus.mutate({ status: 'online' })).status,
          'online',
        );
        const started = Date.now();
        const me = await bob.client.api.user.setStatus.mutate({ status: 'offline' });
        const ended = Date.now();
        assert.equal(me.status, 'offline');
        assert.ok(me.lastSeen, 'lastSeen is set');
        assert.equal(new Date(me.lastSeen).toISOString(), me.lastSeen, 'lastSeen is ISO-8601');
        const at = Date.parse(me.lastSeen);
        assert.ok(
          at >= started - 2_000 && at <= ended + 2_000,
          `lastSeen ${me.lastSeen} is now-ish`,
        );
        const seen = await alice.client.api.user.byId.query({ userId: bob.id });
        assert.deepEqual([seen.status, seen.lastSeen], ['offline', me.lastSeen]);
      } finally {
        disconnect();
      }
    });

    test('a bad value: BAD_REQUEST, status unchanged', async () => {
      const u = await system.user();
      for (const status of ['invisible', '', 'ONLINE']) {
        const err = await rejectsWith(
          u.client.api.user.setStatus.mutate({ status } as never),
          'BAD_REQUEST',
        );
        assert.ok(err.data.zodError?.fieldErrors.status?.length, 'fieldErrors.status is set');
      }
      await rejectsWith(u.client.api.user.setStatus.mutate({} as never), 'BAD_REQUEST');
      assert.equal((await u.client.api.user.me.query()).status, 'offline');
    });

    test('without a token: UNAUTHORIZED', async () => {
      await rejectsWith(
        system.client().api.user.setStatus.mutate({ status: 'away' }),
        'UNAUTHORIZED',
      );
    });
  });

  describe('provisioning from user.created (idempotent)', () => {
    let bus: Bus;
    let conn: Connection;
    let models: UsersModels;
    before(async () => {
      bus = await system.connectBus();
      conn = await connectDb({
        url: system.env.MONGO_URL!,
        dbName: system.dbPrefix + 'users',
        log,
      });
      models = await usersModels(conn);
    });
    after(async () => {
      await bus?.close();
      await conn?.close();
    });

    const publishCreated = (
      data: { id: string; username: string; email: string },
      requestId = 'test',
    ) =>
      bus.publish(
        'user_events',
        'user.created',
        { ...data, createdAt: new Date().toISOString() },
        { requestId },
      );

    /** Error lines the user worker logged while handling events published with `requestId`. */
    const handlerErrors = (requestId: string) =>
      system
        .worker('user')
        .logs(400)
        .split('\n')
        .filter(
          (line) => line.includes(`"requestId":"${requestId}"`) && /"level":(50|60)/.test(line),
        );

    /**
     * Events are handled in order of arrival from one queue: once a sentinel published
     * after them has been provisioned, the earlier ones have been delivered too. The
     * extra pause covers handlers that were still running concurrently.
     */
    async function drainEvents(): Promise<void> {
      const id = unknownId();
      const username = uniqueName('sentinel');
      await publishCreated({ id, username, email: `${username}@example.test` });
      await waitFor(
        'the sentinel profile',
        async () => (await models.Profile.exists({ _id: id })) !== null,
      );
      await sleep(500);
    }

    test('a redelivered event for an existing user changes nothing', async () => {
      const [alice, bob] = await Promise.all([system.user(), system.user()]);
      await bob.client.api.user.updateProfile.mutate({
        displayName: 'Bob Original',
        bio: 'keep me',
      });
      const before = await bob.client.api.user.me.query();
      const otherName = uniqueName('imposter');
      await publishCreated({ id: bob.id, username: otherName, email: `${otherName}@example.test` });
      await publishCreated({ id: bob.id, username: bob.username, email: bob.email });
      await drainEvents();

      assert.equal(await models.Profile.countDocuments({ _id: bob.id }), 1);
      assert.equal(
        await models.Profile.countDocuments({ username: otherName }),
        0,
        'no profile under the new name',
      );
      const row = await models.Profile.findById(bob.id).lean();
      assert.deepEqual(
        [row?.username, row?.email, row?.displayName, row?.bio],
        [bob.username, bob.email, 'Bob Original', 'keep me'],
      );
      assert.deepEqual(await bob.client.api.user.me.query(), before);
      const { email: _email, ...publicBefore } = before;
      assert.deepEqual(await alice.client.api.user.byId.query({ userId: bob.id }), publicBefore);
    });

    test('the same new user.created twice makes exactly one profile', async () => {
      const reader = await system.user();
      const id = unknownId();
      const username = uniqueName('evt');
      const email = `${username}@example.test`;
      // Both in flight at once, as a broker redelivery after a lost ack could be.
      const requestId = `dup-${id}`;
      const event = { id, username, email };
      await Promise.all([publishCreated(event, requestId), publishCreated(event, requestId)]);
      await waitFor(
        'the provisioned profile',
        async () => (await models.Profile.exists({ _id: id })) !== null,
      );
      await drainEvents();

      assert.equal(await models.Profile.countDocuments({ _id: id }), 1);
      assert.equal(await models.Profile.countDocuments({ username }), 1);
      assert.deepEqual(await reader.client.api.user.byId.query({ userId: id }), {
        id,
        username,
        displayName: username,
        avatar: null,
        bio: '',
        status: 'offline',
        lastSeen: null,
      });
      // A duplicate is a no-op, not a failure that only a retry papers over.
      assert.deepEqual(handlerErrors(requestId), [], 'no handler error for the duplicate');
    });

    test('many concurrent copies of one user.created: one profile, no handler errors', async () => {
      const id = unknownId();
      const username = uniqueName('burst');
      const requestId = `burst-${id}`;
      const event = { id, username, email: `${username}@example.test` };
      await Promise.all(Array.from({ length: 8 }, () => publishCreated(event, requestId)));
      await waitFor(
        'the provisioned profile',
        async () => (await models.Profile.exists({ _id: id })) !== null,
      );
      await drainEvents();
      assert.equal(await models.Profile.countDocuments({ _id: id }), 1);
      assert.deepEqual(handlerErrors(requestId), [], 'no handler error for the duplicates');
    });
  });
});
