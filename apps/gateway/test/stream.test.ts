import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StreamItem } from '@chat/api';
import { formatEventId } from '../src/events/event-ids.js';
import { Stream } from '../src/events/stream.js';

const EPOCH = 7n;
const stored = (entry: string): StreamItem => ({
  id: formatEventId(EPOCH, entry),
  event: { type: 'resync' },
});
const live = (): StreamItem => ({ id: null, event: { type: 'resync' } });

function stream(options: { maxQueued?: number; unpulledMs?: number } = {}) {
  const ended: string[] = [];
  const s = new Stream('ws:1', options.maxQueued ?? 100, options.unpulledMs ?? 60_000, () =>
    ended.push('left'),
  );
  return { s, ended };
}

/** A replay as the hub's reads it: one item per Redis round trip. */
async function* pages(items: StreamItem[]) {
  for (const item of items) yield await Promise.resolve(item);
}

test('the replay comes first, then what was pushed meanwhile, without what the replay already sent', async () => {
  const { s } = stream();
  s.push(stored('1-0')); // also in the replay: pushed while it was read
  s.push(live());
  s.push(stored('3-0'));
  s.replayFirst(pages([stored('1-0'), stored('2-0')]));
  // The replay moves `sent` as the hub's replay does.
  const ids: Array<string | null> = [];
  for (let i = 0; i < 4; i++) {
    const r = await s.next();
    assert.equal(r.done, false);
    ids.push(r.value.id);
    if (i < 2) s.sent = { epoch: EPOCH, entry: i === 0 ? '1-0' : '2-0' };
  }
  assert.deepEqual(ids, [
    formatEventId(EPOCH, '1-0'),
    formatEventId(EPOCH, '2-0'),
    null,
    formatEventId(EPOCH, '3-0'),
  ]);
});

test('a waiting next() gets the next push; return() ends a waiting next() at once and leaves the feed once', async () => {
  const { s, ended } = stream();
  const first = s.next();
  s.push(stored('5-0'));
  assert.equal(((await first).value as StreamItem).id, formatEventId(EPOCH, '5-0'));
  s.push(stored('5-0')); // a duplicate delivery: skipped
  const waiting = s.next();
  await s.return();
  assert.deepEqual(await waiting, { value: undefined, done: true });
  assert.deepEqual(await s.next(), { value: undefined, done: true });
  await s.return();
  s.end();
  assert.deepEqual(ended, ['left']);
});

test('a subscriber that falls behind gets SERVICE_UNAVAILABLE after what it had queued', async () => {
  const { s, ended } = stream({ maxQueued: 2 });
  for (const entry of ['1-0', '2-0', '3-0']) s.push(stored(entry));
  assert.equal(((await s.next()).value as StreamItem).id, formatEventId(EPOCH, '1-0'));
  assert.equal(((await s.next()).value as StreamItem).id, formatEventId(EPOCH, '2-0'));
  await assert.rejects(s.next(), /fell behind/);
  assert.deepEqual(ended, ['left']);
});

test('a failing replay ends the stream with its error', async () => {
  const { s, ended } = stream();
  s.replayFirst(
    (async function* () {
      yield await Promise.reject(new Error('redis gone'));
    })(),
  );
  await assert.rejects(s.next(), /redis gone/);
  assert.deepEqual(ended, ['left']);
  assert.deepEqual(await s.next(), { value: undefined, done: true });
});

test('a stream nobody iterates is ended by the first push after its grace; an iterated one is not', async () => {
  const idle = stream({ unpulledMs: 20 });
  const used = stream({ unpulledMs: 20 });
  const pending = used.s.next();
  await new Promise((r) => setTimeout(r, 40));
  idle.s.push(live());
  used.s.push(live());
  assert.deepEqual(idle.ended, ['left']);
  assert.equal(idle.s.ended, true);
  assert.deepEqual(used.ended, []);
  assert.equal(((await pending).value as StreamItem).id, null);
});
