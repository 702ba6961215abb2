import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { z } from 'zod';
import { appRouter } from '../src/root.js';

const ID = '0123456789abcdef01234567';

/** A valid input for every procedure that takes one; the test fails when one is missing. */
const VALID: Record<string, unknown> = {
  'auth.register': { username: 'alice', email: 'alice@example.test', password: 'password123' },
  'auth.login': { identifier: 'alice', password: 'password123' },
  'auth.refresh': { refreshToken: 'token' },
  'auth.logout': { refreshToken: 'token' },
  'user.byId': { userId: ID },
  'user.search': { query: 'al', cursor: 'c1' },
  'user.updateProfile': {
    displayName: 'Alice',
    bio: 'Hi there',
    avatar: 'https://example.test/a.png',
  },
  'user.setStatus': { status: 'away' },
  'chat.conversations': { cursor: 'c1' },
  'chat.conversation': { conversationId: ID },
  'chat.openDirect': { userId: ID },
  'chat.messages': { conversationId: ID, cursor: 'c1' },
  'chat.send': {
    conversationId: ID,
    clientId: '8c5f4c3e-1b2a-4c3d-9e8f-0a1b2c3d4e5f',
    content: 'hi',
  },
  'chat.markDelivered': { conversationId: ID, messageIds: [ID] },
  'chat.markRead': { conversationId: ID, upToMessageId: ID },
  'chat.deleteForMe': { messageId: ID },
  'chat.edit': { messageId: ID, content: 'fixed' },
  'chat.deleteForEveryone': { messageId: ID },
  'chat.react': { messageId: ID, emoji: '👍' },
  'chat.unreact': { messageId: ID, emoji: '👍' },
  'chat.mute': { conversationId: ID, until: '2026-12-31T00:00:00.000Z' },
  'chat.search': { query: 'hello', conversationId: ID, cursor: 'c1' },
  'chat.typing': { conversationId: ID, isTyping: true },
  'group.create': {
    name: 'Team',
    description: 'About',
    avatar: 'https://example.test/g.png',
    memberIds: [ID],
  },
  'group.get': { groupId: ID },
  'group.update': { groupId: ID, name: 'Team', description: 'About' },
  'group.addMembers': { groupId: ID, userIds: [ID] },
  'group.removeMember': { groupId: ID, userId: ID },
  'group.setRole': { groupId: ID, userId: ID, role: 'admin' },
  'group.leave': { groupId: ID },
  'notification.list': { limit: 5 },
  'notification.markRead': { ids: [ID] },
  'push.vapidPublicKey': {},
  'push.subscribe': {
    endpoint: 'https://push.example.com/send/abc123',
    keys: { p256dh: 'B'.repeat(87), auth: 'A'.repeat(22) },
  },
  'push.unsubscribe': { endpoint: 'https://push.example.com/send/abc123' },
  'events.stream': { lastEventId: '1700000000000-0' },
};

/** Every procedure's zod input, read from the router (so new procedures are covered). */
function inputsOfRouter(): Array<[string, z.ZodType]> {
  const procedures = (
    appRouter as unknown as {
      _def: { procedures: Record<string, { _def: { inputs: z.ZodType[] } }> };
    }
  )._def.procedures;
  return Object.entries(procedures).flatMap(([path, p]) =>
    p._def.inputs[0] ? [[path, p._def.inputs[0]] as [string, z.ZodType]] : [],
  );
}

/** Each way of putting `bad` into one string leaf of `value` (at the start, middle and end). */
function variants(value: unknown, bad: string): Array<{ where: string; value: unknown }> {
  if (typeof value === 'string') {
    const mid = Math.floor(value.length / 2);
    return [
      { where: '', value: bad + value },
      { where: '', value: value.slice(0, mid) + bad + value.slice(mid) },
      { where: '', value: value + bad },
    ];
  }
  if (Array.isArray(value)) {
    const items = value as unknown[];
    return items.flatMap((item, i) =>
      variants(item, bad).map((v) => ({
        where: `[${i}]${v.where}`,
        value: items.map((x, j) => (j === i ? v.value : x)),
      })),
    );
  }
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, item]) =>
      variants(item, bad).map((v) => ({
        where: `.${key}${v.where}`,
        value: { ...value, [key]: v.value },
      })),
    );
  return [];
}

describe('text the store cannot hold', () => {
  const inputs = inputsOfRouter();

  test('every procedure with an input has a valid sample here, and it parses', () => {
    for (const [path, schema] of inputs) {
      assert.ok(Object.hasOwn(VALID, path), `add a valid ${path} input to VALID`);
      const parsed = schema.safeParse(VALID[path]);
      assert.ok(parsed.success, `${path}: ${parsed.error?.message}`);
    }
  });

  for (const [label, bad] of [
    ['NUL', '\u0000'],
    ['a lone high surrogate', '\ud800'],
    ['a lone low surrogate', '\udc00'],
  ] as const) {
    test(`${label} in any string of any procedure's input is refused`, () => {
      const accepted: string[] = [];
      for (const [path, schema] of inputs) {
        for (const v of variants(VALID[path], bad)) {
          if (schema.safeParse(v.value).success) accepted.push(`${path}${v.where}`);
        }
      }
      assert.deepEqual(accepted, []);
    });
  }

  test('a surrogate pair (emoji) is fine where text is free', () => {
    for (const [path, input] of [
      ['chat.send', { ...(VALID['chat.send'] as object), content: 'ok 😀' }],
      ['user.updateProfile', { displayName: '😀 Zoë', bio: '🎉' }],
      ['group.create', { ...(VALID['group.create'] as object), name: 'Team 🚀' }],
    ] as const) {
      const schema = inputs.find(([p]) => p === path)![1];
      assert.ok(schema.safeParse(input).success, path);
    }
  });

  test('control characters: refused in names, only \\n and \\t allowed in multi-line text', () => {
    const schemaOf = (path: string) => inputs.find(([p]) => p === path)![1];
    const controls = [
      '\u0001',
      '\u0007',
      '\u001b',
      '\r',
      '\u000b',
      '\u000c',
      '\u007f',
      '\u0085',
      '\u009f',
    ];
    for (const c of [...controls, '\n', '\t']) {
      const shown = JSON.stringify(c);
      for (const [path, input] of [
        ['user.updateProfile', { displayName: `A${c}B` }],
        ['group.create', { ...(VALID['group.create'] as object), name: `A${c}B` }],
        ['group.update', { groupId: ID, name: `A${c}B` }],
        ['user.search', { query: `a${c}b` }],
      ] as const) {
        assert.equal(schemaOf(path).safeParse(input).success, false, `${path} name with ${shown}`);
      }
      const multiLineOk = c === '\n' || c === '\t';
      for (const [path, input] of [
        ['user.updateProfile', { bio: `a${c}b` }],
        ['chat.send', { ...(VALID['chat.send'] as object), content: `a${c}b` }],
        ['group.update', { groupId: ID, description: `a${c}b` }],
      ] as const) {
        assert.equal(schemaOf(path).safeParse(input).success, multiLineOk, `${path} with ${shown}`);
      }
    }
  });

  test('the message names the field and the reason', () => {
    const schema = inputs.find(([p]) => p === 'user.updateProfile')![1];
    const result = schema.safeParse({ displayName: 'A\u0000', bio: 'x\u001b[2J' });
    assert.equal(result.success, false);
    const messages = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    assert.ok(
      messages.includes('displayName: must not contain NUL (\\u0000) characters'),
      messages.join('\n'),
    );
    assert.ok(
      messages.includes('bio: must not contain control characters (line breaks and tabs are fine)'),
      messages.join('\n'),
    );
  });
});
