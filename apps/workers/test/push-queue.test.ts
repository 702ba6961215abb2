import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TaskQueue } from '../src/notification/push/queue.js';

/** A task that runs until released, recording when it starts. */
function gate(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return { task: () => (log.push(name), done), release };
}

/** Lets queued continuations run until `done` holds (bounded). */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(done(), 'the queue settled');
}

test('runs at most `concurrency` tasks at once, in order; a full queue drops and says so', async () => {
  const log: string[] = [];
  const errors: unknown[] = [];
  const queue = new TaskQueue(2, 2, (err) => errors.push(err));
  const gates = ['a', 'b', 'c', 'd'].map((n) => gate(log, n));
  for (const g of gates) assert.equal(queue.add(g.task), true);
  assert.deepEqual(log, ['a', 'b'], 'two run, two wait');
  assert.equal(
    queue.add(() => Promise.resolve()),
    false,
    'beyond two waiting: dropped',
  );
  gates[0]!.release();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(log, ['a', 'b', 'c']);
  // A failing task is reported and frees its slot.
  assert.equal(
    queue.add(() => Promise.reject(new Error('boom'))),
    true,
  );
  gates[1]!.release();
  gates[2]!.release();
  gates[3]!.release();
  await until(() => log.length === 4 && errors.length === 1);
  assert.deepEqual(log, ['a', 'b', 'c', 'd']);
  assert.deepEqual(
    errors.map((e) => (e as Error).message),
    ['boom'],
  );
});

test('close drops what waits and waits for what runs', async () => {
  const log: string[] = [];
  const queue = new TaskQueue(1, 10, () => undefined);
  const running = gate(log, 'running');
  queue.add(running.task);
  queue.add(() => (log.push('never'), Promise.resolve()));
  let closed = false;
  const closing = queue.close().then((dropped) => ((closed = true), dropped));
  await new Promise((r) => setImmediate(r));
  assert.equal(closed, false, 'the running task is awaited');
  running.release();
  assert.equal(await closing, 1);
  assert.deepEqual(log, ['running']);
  assert.equal(
    queue.add(() => Promise.resolve()),
    false,
    'closed: takes nothing new',
  );
});
