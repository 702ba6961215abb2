import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { ClientEvent, Message } from '@chat/api';
import { directPair, sendText } from '../support/direct-chat.js';
import { rejectsWith } from '../support/errors.js';
import { download, uploadAs } from '../support/files.js';
import { TestSystem, type TestUser } from '../support/system.js';
import { waitFor } from '../support/wait.js';

const unknownId = () => randomBytes(12).toString('hex');

/** Every stored event `u` receives, from now on. */
function listen(u: TestUser) {
  const events: ClientEvent[] = [];
  const sub = u.client.api.events.stream.subscribe(undefined, {
    onData: (item: unknown) => {
      const d = item as { data?: ClientEvent; type?: string };
      events.push(d.type ? (d as ClientEvent) : d.data!);
    },
    onError: () => undefined,
  });
  return { events, stop: () => sub.unsubscribe() };
}

describe('message actions: edit, delete for everyone, reactions, replies, mute', () => {
  let system: TestSystem;
  before(async () => {
    system = await TestSystem.start({
      env: { RATE_SEND_PER_USER: '100000', RATE_REACT_PER_USER: '100000' },
    });
  });
  after(() => system.stop());

  /** A group of `owner`, an admin and two members, with a message of each member. */
  async function group() {
    const [owner, admin, m1, m2, outsider] = await Promise.all(
      Array.from({ length: 5 }, () => system.user()),
    );
    const g = await owner!.client.api.group.create.mutate({
      name: 'team',
      memberIds: [admin!.id, m1!.id, m2!.id],
    });
    await owner!.client.api.group.setRole.mutate({
      groupId: g.id,
      userId: admin!.id,
      role: 'admin',
    });
    const fromM1 = await sendText(m1!, g.conversationId, 'from m1');
    const fromM2 = await sendText(m2!, g.conversationId, 'from m2');
    return {
      g,
      owner: owner!,
      admin: admin!,
      m1: m1!,
      m2: m2!,
      outsider: outsider!,
      fromM1,
      fromM2,
    };
  }

  test('edit: the sender only; "edited" for everyone, live and in history; the preview follows', async () => {
    const { a, b, conversation } = await directPair(system);
    const feed = listen(b);
    try {
      const m = await sendText(a, conversation.id, 'first draft');
      const edited = await a.client.api.chat.edit.mutate({ messageId: m.id, content: ' final ' });
      assert.equal(edited.content, 'final');
      assert.ok(edited.editedAt && Date.parse(edited.editedAt) >= Date.parse(m.createdAt));
      assert.equal(edited.deleted, false);
      const seen = await waitFor('message.updated at the partner', () =>
        feed.events.find((e) => e.type === 'message.updated' && e.message.id === m.id),
      );
      assert.equal(seen.type === 'message.updated' && seen.message.content, 'final');
      const [stored] = (await b.client.api.chat.messages.query({ conversationId: conversation.id }))
        .items;
      assert.equal(stored?.content, 'final');
      assert.equal(stored?.editedAt, edited.editedAt);
      const [c] = (await b.client.api.chat.conversations.query({})).items;
      assert.equal(c?.lastMessage?.content, 'final');

      const e1 = await rejectsWith(
        b.client.api.chat.edit.mutate({ messageId: m.id, content: 'not mine' }),
        'FORBIDDEN',
      );
      assert.match(e1.message, /sender/);
      const outsider = await system.user();
      await rejectsWith(
        outsider.client.api.chat.edit.mutate({ messageId: m.id, content: 'x' }),
        'NOT_FOUND',
      );
      await rejectsWith(
        a.client.api.chat.edit.mutate({ messageId: unknownId(), content: 'x' }),
        'NOT_FOUND',
      );
      await rejectsWith(
        a.client.api.chat.edit.mutate({ messageId: m.id, content: '   ' }),
        'BAD_REQUEST',
      );
    } finally {
      feed.stop();
    }
  });

  test('delete for everyone: sender, or a group owner/admin; a tombstone for all; files go', async () => {
    const { g, owner, admin, m1, m2, outsider, fromM1, fromM2 } = await group();
    await rejectsWith(
      m2.client.api.chat.deleteForEveryone.mutate({ messageId: fromM1.id }),
      'FORBIDDEN',
    );
    await rejectsWith(
      outsider.client.api.chat.deleteForEveryone.mutate({ messageId: fromM1.id }),
      'NOT_FOUND',
    );
    assert.deepEqual(
      await admin.client.api.chat.deleteForEveryone.mutate({ messageId: fromM1.id }),
      { ok: true },
    );
    assert.deepEqual(
      await owner.client.api.chat.deleteForEveryone.mutate({ messageId: fromM2.id }),
      { ok: true },
    );
    const history = (await m2.client.api.chat.messages.query({ conversationId: g.conversationId }))
      .items;
    for (const id of [fromM1.id, fromM2.id]) {
      const tomb = history.find((m) => m.id === id);
      assert.ok(tomb, 'the tombstone stays in history');
      assert.equal(tomb.deleted, true);
      assert.equal(tomb.content, '');
      assert.deepEqual(tomb.attachments, []);
    }
    await rejectsWith(
      m1.client.api.chat.edit.mutate({ messageId: fromM1.id, content: 'again' }),
      'BAD_REQUEST',
    );

    // The sender's own, with a file: the file leaves storage.
    const up = await uploadAs(system, m1, g.conversationId, randomBytes(2000), { name: 'x.bin' });
    assert.equal(up.status, 201);
    const withFile = await m1.client.api.chat.send.mutate({
      conversationId: g.conversationId,
      clientId: randomUUID(),
      attachments: [up.json.id],
    });
    assert.equal((await download(system, up.json.url)).status, 200);
    await m1.client.api.chat.deleteForEveryone.mutate({ messageId: withFile.id });
    assert.equal((await download(system, up.json.url)).status, 404);
  });

  test('delete for everyone in a direct chat: only the sender; the partner’s unread count drops', async () => {
    const { a, b, conversation } = await directPair(system);
    const m = await sendText(a, conversation.id, 'oops');
    await rejectsWith(b.client.api.chat.deleteForEveryone.mutate({ messageId: m.id }), 'FORBIDDEN');
    const unread = async () =>
      (await b.client.api.chat.conversation.query({ conversationId: conversation.id })).unreadCount;
    assert.equal(await unread(), 1);
    await a.client.api.chat.deleteForEveryone.mutate({ messageId: m.id });
    assert.equal(await unread(), 0);
    const [c] = (await b.client.api.chat.conversations.query({})).items;
    assert.equal(c?.lastMessage?.content, '');
  });

  test('reactions: emoji only, idempotent, at most 20 distinct, counts and who', async () => {
    const { a, b, conversation } = await directPair(system);
    const feed = listen(a);
    try {
      const m = await sendText(a, conversation.id, 'react to me');
      let r = await b.client.api.chat.react.mutate({ messageId: m.id, emoji: '👍' });
      r = await b.client.api.chat.react.mutate({ messageId: m.id, emoji: '👍' });
      r = await a.client.api.chat.react.mutate({ messageId: m.id, emoji: '👍' });
      r = await a.client.api.chat.react.mutate({ messageId: m.id, emoji: '👩‍💻' });
      r = await a.client.api.chat.react.mutate({ messageId: m.id, emoji: '👍🏽' });
      assert.deepEqual(
        r.reactions.map((x) => [x.emoji, x.count, x.userIds]),
        [
          ['👍', 2, [b.id, a.id]],
          ['👩‍💻', 1, [a.id]],
          ['👍🏽', 1, [a.id]],
        ],
      );
      await waitFor('the sender hears of the reaction', () =>
        feed.events.some(
          (e) =>
            e.type === 'message.updated' && e.message.id === m.id && e.message.reactions.length > 0,
        ),
      );
      r = await b.client.api.chat.unreact.mutate({ messageId: m.id, emoji: '👍' });
      r = await b.client.api.chat.unreact.mutate({ messageId: m.id, emoji: '👍' });
      assert.deepEqual(r.reactions[0], { emoji: '👍', count: 1, userIds: [a.id] });

      for (const bad of ['a', 'ab', '👍👍', ':)', '1️⃣', '', 'x'.repeat(100)])
        await rejectsWith(
          b.client.api.chat.react.mutate({ messageId: m.id, emoji: bad }),
          'BAD_REQUEST',
        );

      const many = [
        '😀',
        '😁',
        '😂',
        '🤣',
        '😃',
        '😄',
        '😅',
        '😆',
        '😉',
        '😊',
        '😋',
        '😎',
        '😍',
        '😘',
        '🥰',
        '😗',
        '😙',
      ];
      for (const e of many) await b.client.api.chat.react.mutate({ messageId: m.id, emoji: e });
      const full = await b.client.api.chat.react.mutate({ messageId: m.id, emoji: '👍' });
      assert.equal(full.reactions.length, 20);
      const over = await rejectsWith(
        b.client.api.chat.react.mutate({ messageId: m.id, emoji: '🙂' }),
        'BAD_REQUEST',
      );
      assert.match(over.message, /20/);
      const outsider = await system.user();
      await rejectsWith(
        outsider.client.api.chat.react.mutate({ messageId: m.id, emoji: '👍' }),
        'NOT_FOUND',
      );
    } finally {
      feed.stop();
    }
  });

  test('after leaving a group one can no longer edit or react (NOT_FOUND)', async () => {
    const { g, m1, fromM1, fromM2 } = await group();
    await m1.client.api.group.leave.mutate({ groupId: g.id });
    await rejectsWith(
      m1.client.api.chat.edit.mutate({ messageId: fromM1.id, content: 'x' }),
      'NOT_FOUND',
    );
    await rejectsWith(
      m1.client.api.chat.react.mutate({ messageId: fromM2.id, emoji: '👍' }),
      'NOT_FOUND',
    );
  });

  test('replies quote the original (same conversation only) and follow its edit and deletion', async () => {
    const { a, b, conversation } = await directPair(system);
    const original = await sendText(a, conversation.id, 'x'.repeat(300));
    const reply = await b.client.api.chat.send.mutate({
      conversationId: conversation.id,
      clientId: randomUUID(),
      content: 'answer',
      replyTo: original.id,
    });
    assert.equal(reply.replyTo?.id, original.id);
    assert.equal(reply.replyTo?.senderId, a.id);
    assert.equal(reply.replyTo?.content.length, 200);
    assert.equal(reply.replyTo?.deleted, false);

    const other = await directPair(system);
    await rejectsWith(
      other.a.client.api.chat.send.mutate({
        conversationId: other.conversation.id,
        clientId: randomUUID(),
        content: 'elsewhere',
        replyTo: original.id,
      }),
      'BAD_REQUEST',
    );

    const quoteOf = async () =>
      (await b.client.api.chat.messages.query({ conversationId: conversation.id })).items.find(
        (m: Message) => m.id === reply.id,
      )?.replyTo;
    await a.client.api.chat.edit.mutate({ messageId: original.id, content: 'short now' });
    assert.equal((await quoteOf())?.content, 'short now');
    await a.client.api.chat.deleteForEveryone.mutate({ messageId: original.id });
    assert.deepEqual(await quoteOf(), {
      id: original.id,
      senderId: a.id,
      content: '',
      type: 'text',
      deleted: true,
    });
    await rejectsWith(
      b.client.api.chat.send.mutate({
        conversationId: conversation.id,
        clientId: randomUUID(),
        content: 'to a deleted one',
        replyTo: original.id,
      }),
      'BAD_REQUEST',
    );
  });

  test('mute reaches the muter’s other devices, and nobody else', async () => {
    const { a, b, conversation } = await directPair(system);
    const bOther = listen(b);
    const aFeed = listen(a);
    try {
      await waitFor('both streams are live', async () => {
        await sendText(a, conversation.id, 'hello');
        return [bOther, aFeed].every((f) => f.events.some((e) => e.type === 'message.new'));
      });
      const until = new Date(Date.now() + 3_600_000).toISOString();
      await b.client.api.chat.mute.mutate({ conversationId: conversation.id, until });
      const mutedOn = () =>
        bOther.events.flatMap((e) =>
          e.type === 'conversation.updated' && e.conversation.id === conversation.id
            ? [e.conversation.mutedUntil]
            : [],
        );
      await waitFor('b’s other device sees the mute', () => mutedOn().includes(until));
      await b.client.api.chat.mute.mutate({ conversationId: conversation.id, until: null });
      await waitFor('…and the unmute', () => mutedOn().at(-1) === null);
      // a's stream is in order: once a's next message is there, a mute event would be too.
      const marker = await sendText(b, conversation.id, 'marker');
      await waitFor('a has the marker', () =>
        aFeed.events.some((e) => e.type === 'message.new' && e.message.id === marker.id),
      );
      assert.equal(
        aFeed.events.filter((e) => e.type === 'conversation.updated').length,
        0,
        'the partner hears nothing of a mute',
      );
    } finally {
      bOther.stop();
      aFeed.stop();
    }
  });

  test('mute: no notification while muted, the message still arrives; unmute', async () => {
    const { a, b, conversation } = await directPair(system);
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const muted = await b.client.api.chat.mute.mutate({ conversationId: conversation.id, until });
    assert.equal(muted.mutedUntil, until);
    assert.equal(
      (await b.client.api.chat.conversation.query({ conversationId: conversation.id })).mutedUntil,
      until,
    );
    const feed = listen(b);
    try {
      await waitFor('the stream is live', async () => {
        await sendText(a, conversation.id, 'while muted');
        return feed.events.some((e) => e.type === 'message.new');
      });
      // The event log is appended in one step per event: once message.new is there, a
      // notification for it would be too.
      const notifications = await b.client.api.notification.list.query({});
      assert.equal(
        notifications.items.filter((n) => n.conversationId === conversation.id).length,
        0,
        'no notification while muted',
      );
      const unmuted = await b.client.api.chat.mute.mutate({
        conversationId: conversation.id,
        until: null,
      });
      assert.equal(unmuted.mutedUntil, null);
      await sendText(a, conversation.id, 'after unmute');
      await waitFor('a notification again', async () =>
        (await b.client.api.notification.list.query({})).items.some(
          (n) => n.conversationId === conversation.id,
        ),
      );
      const past = await b.client.api.chat.mute.mutate({
        conversationId: conversation.id,
        until: new Date(Date.now() - 1000).toISOString(),
      });
      assert.equal(past.mutedUntil, null, 'a time in the past unmutes');
      const outsider = await system.user();
      await rejectsWith(
        outsider.client.api.chat.mute.mutate({ conversationId: conversation.id, until }),
        'NOT_FOUND',
      );
    } finally {
      feed.stop();
    }
  });
});

describe('chat.search', () => {
  let system: TestSystem;
  before(async () => {
    system = await TestSystem.start({
      workers: ['auth', 'user', 'chat'],
      // A word with more than 3 matches is walked chunk by chunk: both paths run below.
      env: {
        RATE_SEND_PER_USER: '100000',
        RATE_SEARCH_PER_USER: '100000',
        SEARCH_PROBE_MATCHES: '3',
      },
    });
  });
  after(() => system.stop());

  test('a common word is walked across chunks and conversations, newest first, page by page', async () => {
    const data = await commonWordData(system);
    assert.deepEqual(await searchAll(data.a, 'busy', 7), data.busy);
    assert.deepEqual(await searchAll(data.a, 'busy elsewhere', 4), data.elsewhere);
    assert.deepEqual(
      await searchAll(data.a, 'busy', 9, data.conversationId),
      data.busy.filter((id) => !data.elsewhere.includes(id)),
    );
    // The partner of the other conversation sees only theirs.
    assert.deepEqual(await searchAll(data.other, 'busy', 50), data.elsewhere);
  });

  test('whole words, any case, every word, newest first, in the caller’s conversations only', async () => {
    const { a, b, conversation } = await directPair(system);
    const other = await directPair(system);
    const withA = await a.client.api.chat.openDirect.mutate({ userId: other.a.id });
    const m1 = await sendText(a, conversation.id, 'The Quarterly REPORT is ready');
    const m2 = await sendText(b, conversation.id, 'report: draft two, quarterly numbers');
    await sendText(b, conversation.id, 'reporting is not a report word');
    const m4 = await sendText(a, withA.id, 'quarterly report for the other chat');
    await sendText(other.a, other.conversation.id, 'quarterly report nobody else sees');

    const all = await a.client.api.chat.search.query({ query: 'quarterly REPORT' });
    assert.deepEqual(
      all.items.map((m) => m.id),
      [m4.id, m2.id, m1.id],
    );
    const here = await a.client.api.chat.search.query({
      query: 'report quarterly',
      conversationId: conversation.id,
    });
    assert.deepEqual(
      here.items.map((m) => m.id),
      [m2.id, m1.id],
    );
    const paged = await a.client.api.chat.search.query({ query: 'report', limit: 2 });
    assert.equal(paged.items.length, 2);
    assert.ok(paged.nextCursor);
    const rest = await a.client.api.chat.search.query({
      query: 'report',
      limit: 2,
      cursor: paged.nextCursor,
    });
    const ids = [...paged.items, ...rest.items].map((m) => m.id);
    assert.equal(new Set(ids).size, ids.length, 'no message twice across pages');
    assert.ok(ids.length >= 4);

    // Not the outsider's, not another's conversation.
    await rejectsWith(
      other.a.client.api.chat.search.query({ query: 'report', conversationId: conversation.id }),
      'NOT_FOUND',
    );
  });

  test('a message of 200 distinct long words (pasted hashes) is stored, found by any of them, and edited', async () => {
    // Its search words weigh ~4.6 KB: more than a btree index entry may (2.7 KB) on the dev store.
    const { a, b, conversation } = await directPair(system);
    const hashes = () =>
      Array.from({ length: 200 }, () => randomBytes(9).toString('hex').slice(0, 18));
    const words = hashes();
    const pasted = await sendText(a, conversation.id, words.join(' '));
    assert.equal(pasted.content.length, 200 * 19 - 1);
    for (const word of [words[0]!, words[199]!]) {
      const found = await b.client.api.chat.search.query({ query: word.toUpperCase() });
      assert.deepEqual(
        found.items.map((m) => m.id),
        [pasted.id],
      );
    }
    const again = hashes();
    await a.client.api.chat.edit.mutate({ messageId: pasted.id, content: again.join('\n') });
    const found = await b.client.api.chat.search.query({ query: again[100]! });
    assert.deepEqual(
      found.items.map((m) => m.id),
      [pasted.id],
    );
    assert.equal((await b.client.api.chat.search.query({ query: words[100]! })).items.length, 0);
  });

  test('never deleted messages; follows edits; patterns match literally and fast', async () => {
    const { a, b, conversation } = await directPair(system);
    const gone = await sendText(a, conversation.id, 'secret plan alpha');
    const mine = await sendText(a, conversation.id, 'secret plan beta');
    const edited = await sendText(a, conversation.id, 'old words here');
    await a.client.api.chat.deleteForEveryone.mutate({ messageId: gone.id });
    await b.client.api.chat.deleteForMe.mutate({ messageId: mine.id });
    assert.deepEqual(
      (await b.client.api.chat.search.query({ query: 'secret plan' })).items.map((m) => m.id),
      [],
    );
    assert.deepEqual(
      (await a.client.api.chat.search.query({ query: 'secret plan' })).items.map((m) => m.id),
      [mine.id],
    );
    await a.client.api.chat.edit.mutate({ messageId: edited.id, content: 'new wording' });
    assert.equal((await a.client.api.chat.search.query({ query: 'old words' })).items.length, 0);
    assert.deepEqual(
      (await a.client.api.chat.search.query({ query: 'WORDING' })).items.map((m) => m.id),
      [edited.id],
    );

    const literal = await sendText(a, conversation.id, 'regex a+ and (group) stay text');
    // Punctuation is no word: these find nothing rather than everything.
    for (const query of ['.*', '^$', '[', '\\', '*']) {
      const page = await a.client.api.chat.search.query({ query });
      assert.deepEqual(page.items, [], `query ${query} matches no message`);
    }
    // Only the literal word "a" of the pattern counts.
    assert.deepEqual(
      (await a.client.api.chat.search.query({ query: '(a+)+$' })).items.map((m) => m.id),
      [literal.id],
    );
    const evil = 'a'.repeat(100) + '!';
    assert.deepEqual((await a.client.api.chat.search.query({ query: `(${evil})+$` })).items, []);
    assert.deepEqual(
      (await a.client.api.chat.search.query({ query: '(group) a+' })).items.map((m) => m.id),
      [literal.id],
    );
    await rejectsWith(a.client.api.chat.search.query({ query: '   ' }), 'BAD_REQUEST');
    await rejectsWith(a.client.api.chat.search.query({ query: 'x'.repeat(201) }), 'BAD_REQUEST');
  });
});

describe('chat.search with a tiny walk budget', () => {
  let system: TestSystem;
  before(async () => {
    system = await TestSystem.start({
      workers: ['auth', 'user', 'chat'],
      env: {
        RATE_SEND_PER_USER: '100000',
        RATE_SEARCH_PER_USER: '100000',
        SEARCH_PROBE_MATCHES: '3',
        SEARCH_WALK_BUDGET: '1',
      },
    });
  });
  after(() => system.stop());

  test('pages end early but every page moves on: all matches, once each, in order', async () => {
    const data = await commonWordData(system);
    const pages: number[] = [];
    assert.deepEqual(await searchAll(data.a, 'busy', 20, undefined, pages), data.busy);
    assert.ok(
      pages.some((n) => n < 20),
      `a budget of one chunk read ends some pages early (${pages.join(', ')})`,
    );
    // A rare word the short walk misses comes from reading its few matches.
    assert.deepEqual(await searchAll(data.a, '4', 5), [data.idOf('a busy line 4')]);
  });
});

/**
 * 150 messages in one conversation (3 chunks of 64), two in three holding "busy", and 20
 * "busy elsewhere" in another of the same user's, interleaved in time; one busy message
 * deleted for everyone. The busy ids come newest first.
 */
async function commonWordData(system: TestSystem) {
  const { a, b, conversation } = await directPair(system);
  const other = await system.user();
  const elsewhereChat = await a.client.api.chat.openDirect.mutate({ userId: other.id });
  const sent: Message[] = [];
  for (let i = 0; i < 150; i++) {
    const from = i % 2 === 0 ? a : b;
    const content = i % 3 === 0 ? `quiet line ${i}` : `a busy line ${i}`;
    sent.push(await sendText(from, conversation.id, content));
    if (i % 7 === 3) sent.push(await sendText(other, elsewhereChat.id, `busy elsewhere ${i}`));
  }
  const gone = sent.find((m) => m.content.startsWith('a busy') && m.senderId === a.id)!;
  await a.client.api.chat.deleteForEveryone.mutate({ messageId: gone.id });
  const newestFirst = (list: Message[]) =>
    [...list]
      .sort((x, y) => Date.parse(y.createdAt) - Date.parse(x.createdAt) || (y.id < x.id ? -1 : 1))
      .map((m) => m.id);
  const busy = sent.filter((m) => m.content.includes('busy') && m.id !== gone.id);
  return {
    a,
    other,
    conversationId: conversation.id,
    busy: newestFirst(busy),
    elsewhere: newestFirst(busy.filter((m) => m.conversationId === elsewhereChat.id)),
    idOf: (content: string) => sent.find((m) => m.content === content)!.id,
  };
}

/** Every page of a search, ids in order; `pages` gets each page's size. */
async function searchAll(
  u: TestUser,
  query: string,
  limit: number,
  conversationId?: string,
  pages: number[] = [],
): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let round = 0; round < 500; round++) {
    const page = await u.client.api.chat.search.query({ query, limit, conversationId, cursor });
    pages.push(page.items.length);
    ids.push(...page.items.map((m) => m.id));
    if (!page.nextCursor) return ids;
    cursor = page.nextCursor;
  }
  throw new Error(`search "${query}" never ended: ${ids.length} ids`);
}
