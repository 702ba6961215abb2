// Input the store can't hold (NUL, lone surrogates) or names can't show (control characters)
// must be BAD_REQUEST at validation, never a 500 from PostgreSQL/FerretDB or MongoDB.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { TestSystem, type TestUser } from '../support/system.js';

interface Answer {
  status: number;
  code: string;
  message: string;
  data: unknown;
}

/** One procedure over plain HTTP with the input as given (GET for queries, POST for mutations). */
async function call(
  system: TestSystem,
  path: string,
  input: unknown,
  token: string | null,
  kind: 'query' | 'mutation' = 'mutation',
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res =
    kind === 'query'
      ? await fetch(
          `${system.url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`,
          { headers },
        )
      : await fetch(`${system.url}/trpc/${path}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(input),
        });
  const body = (await res.json()) as {
    result?: { data: unknown };
    error?: { message: string; data: { code: string } };
  };
  return {
    status: res.status,
    code: body.error?.data.code ?? 'OK',
    message: body.error?.message ?? '',
    data: body.result?.data,
  };
}

const tokenOf = (u: TestUser) => u.client.session!.accessToken;

describe('hostile strings', () => {
  let system: TestSystem;
  let alice: TestUser;
  let bob: TestUser;
  let conversationId: string;
  let groupId: string;
  before(async () => {
    system = await TestSystem.start({ env: { RATE_SEND_PER_USER: '100000' } });
    [alice, bob] = [await system.user(), await system.user()];
    conversationId = (await alice.client.api.chat.openDirect.mutate({ userId: bob.id })).id;
    groupId = (await alice.client.api.group.create.mutate({ name: 'g', memberIds: [bob.id] })).id;
  });
  after(() => system.stop());

  /** Every string field a user can send, with a valid input around it. */
  const fields = (): Array<{
    name: string;
    path: string;
    kind?: 'query' | 'mutation';
    signedIn: boolean;
    input: (bad: string) => unknown;
  }> => [
    {
      name: 'auth.login identifier',
      path: 'auth.login',
      signedIn: false,
      input: (bad) => ({ identifier: bad, password: 'xxxxxxxxxx' }),
    },
    {
      name: 'auth.login password',
      path: 'auth.login',
      signedIn: false,
      input: (bad) => ({ identifier: alice.username, password: `pw${bad}xxxxxxxx` }),
    },
    {
      name: 'auth.register email',
      path: 'auth.register',
      signedIn: false,
      input: (bad) => ({
        username: 'zz_nul',
        email: `a${bad}@example.test`,
        password: 'xxxxxxxxxx',
      }),
    },
    {
      name: 'auth.register password',
      path: 'auth.register',
      signedIn: false,
      input: (bad) => ({
        username: 'zz_nul',
        email: 'zz@example.test',
        password: `xxxxxxxx${bad}`,
      }),
    },
    {
      name: 'auth.refresh refreshToken',
      path: 'auth.refresh',
      signedIn: false,
      input: (bad) => ({ refreshToken: `abc${bad}` }),
    },
    {
      name: 'user.updateProfile displayName',
      path: 'user.updateProfile',
      signedIn: true,
      input: (bad) => ({ displayName: `Al${bad}ice` }),
    },
    {
      name: 'user.updateProfile bio',
      path: 'user.updateProfile',
      signedIn: true,
      input: (bad) => ({ bio: `hello${bad}` }),
    },
    {
      name: 'user.updateProfile avatar',
      path: 'user.updateProfile',
      signedIn: true,
      input: (bad) => ({ avatar: `https://example.test/a${bad}.png` }),
    },
    {
      name: 'user.search query',
      path: 'user.search',
      kind: 'query',
      signedIn: true,
      input: (bad) => ({ query: `al${bad}` }),
    },
    {
      name: 'user.search cursor',
      path: 'user.search',
      kind: 'query',
      signedIn: true,
      input: (bad) => ({ query: 'al', cursor: `c${bad}` }),
    },
    {
      name: 'chat.messages cursor',
      path: 'chat.messages',
      kind: 'query',
      signedIn: true,
      input: (bad) => ({ conversationId, cursor: `c${bad}` }),
    },
    {
      name: 'chat.send content',
      path: 'chat.send',
      signedIn: true,
      input: (bad) => ({ conversationId, clientId: randomUUID(), content: `hi${bad}there` }),
    },
    {
      name: 'chat.send conversationId',
      path: 'chat.send',
      signedIn: true,
      input: (bad) => ({
        conversationId: `${conversationId}${bad}`,
        clientId: randomUUID(),
        content: 'hi',
      }),
    },
    {
      name: 'group.create name',
      path: 'group.create',
      signedIn: true,
      input: (bad) => ({ name: `team${bad}`, memberIds: [bob.id] }),
    },
    {
      name: 'group.create description',
      path: 'group.create',
      signedIn: true,
      input: (bad) => ({ name: 'team', description: `about${bad}`, memberIds: [bob.id] }),
    },
    {
      name: 'group.update name',
      path: 'group.update',
      signedIn: true,
      input: (bad) => ({ groupId, name: `team${bad}` }),
    },
    {
      name: 'group.update description',
      path: 'group.update',
      signedIn: true,
      input: (bad) => ({ groupId, description: `about${bad}` }),
    },
  ];

  test('a NUL character in any string field is BAD_REQUEST naming the field', async () => {
    const wrong: string[] = [];
    for (const f of fields()) {
      const answer = await call(
        system,
        f.path,
        f.input('\u0000'),
        f.signedIn ? tokenOf(alice) : null,
        f.kind,
      );
      // Ids answer "Invalid id" (their pattern); every free-text field names the NUL.
      if (answer.code !== 'BAD_REQUEST' || !/NUL \(\\u0000\)|Invalid id/.test(answer.message))
        wrong.push(`${f.name}: ${answer.status} ${answer.code} ${answer.message}`);
    }
    assert.deepEqual(wrong, []);
  });

  test('control characters in names are BAD_REQUEST; in multi-line text only \\n and \\t pass', async () => {
    const token = tokenOf(alice);
    for (const bad of ['\u0007', '\u001b[31m', '\u007f', '\u0085', '\u009b', '\r', '\n', '\t']) {
      const shown = JSON.stringify(bad);
      for (const input of [{ displayName: `A${bad}B` }]) {
        const answer = await call(system, 'user.updateProfile', input, token);
        assert.equal(answer.code, 'BAD_REQUEST', `displayName with ${shown}: ${answer.message}`);
        assert.match(answer.message, /control character/i);
      }
      const group = await call(
        system,
        'group.create',
        { name: `g${bad}h`, memberIds: [bob.id] },
        token,
      );
      assert.equal(group.code, 'BAD_REQUEST', `group name with ${shown}: ${group.message}`);
      const multiLineOk = bad === '\n' || bad === '\t';
      for (const [path, input] of [
        ['user.updateProfile', { bio: `one${bad}two` }],
        ['chat.send', { conversationId, clientId: randomUUID(), content: `one${bad}two` }],
        ['group.update', { groupId, description: `one${bad}two` }],
      ] as const) {
        const answer = await call(system, path, input, token);
        assert.equal(
          answer.code,
          multiLineOk ? 'OK' : 'BAD_REQUEST',
          `${path} with ${shown}: ${answer.message}`,
        );
      }
    }
  });

  test('a lone UTF-16 surrogate is BAD_REQUEST, never a 500 from the store', async () => {
    const wrong: string[] = [];
    for (const bad of ['\ud800', '\udfff', 'x\ud83d']) {
      for (const f of fields()) {
        const answer = await call(
          system,
          f.path,
          f.input(bad),
          f.signedIn ? tokenOf(alice) : null,
          f.kind,
        );
        if (answer.status >= 500) wrong.push(`${f.name}: ${answer.status} ${answer.code}`);
      }
      const send = await call(
        system,
        'chat.send',
        { conversationId, clientId: randomUUID(), content: `hi${bad}` },
        tokenOf(alice),
      );
      assert.equal(send.code, 'BAD_REQUEST', `content with a lone surrogate: ${send.message}`);
    }
    assert.deepEqual(wrong, []);
  });

  test('valid text with emoji, accents, newlines and tabs is stored and read back unchanged', async () => {
    const content = 'Grüße 👋🏽\n\tnext line — 日本語 \u200d ok';
    const sent = await call(
      system,
      'chat.send',
      { conversationId, clientId: randomUUID(), content },
      tokenOf(alice),
    );
    assert.equal(sent.code, 'OK', sent.message);
    const page = await bob.client.api.chat.messages.query({ conversationId, limit: 1 });
    assert.equal(page.items[0]?.content, content);
    const profile = await call(
      system,
      'user.updateProfile',
      { displayName: 'Zoë 🎉', bio: 'line one\nline\ttwo' },
      tokenOf(bob),
    );
    assert.equal(profile.code, 'OK', profile.message);
  });
});
