import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TurnBatches } from '../src/turn-batches.js';

const turnEnds = () => new Promise((r) => setImmediate(r));

test("one turn's items leave together, per key, in the order they came", async () => {
  const flushed: Array<[string, number[]]> = [];
  const batches = new TurnBatches<number>((key, items) => flushed.push([key, items]), 100);
  batches.add('a', 1);
  batches.add('b', 2);
  batches.add('a', 3);
  assert.deepEqual(flushed, [], 'nothing before the turn ends');
  await turnEnds();
  assert.deepEqual(flushed, [
    ['a', [1, 3]],
    ['b', [2]],
  ]);
  // The next turn starts afresh.
  batches.add('a', 4);
  await turnEnds();
  assert.deepEqual(flushed.at(-1), ['a', [4]]);
  assert.equal(flushed.length, 3);
});

test('a key leaves at once when it reaches the size limit; the rest waits for the turn', async () => {
  const flushed: Array<[string, number[]]> = [];
  const batches = new TurnBatches<number>((key, items) => flushed.push([key, items]), 3);
  for (let i = 1; i <= 7; i++) batches.add('q', i);
  assert.deepEqual(flushed, [
    ['q', [1, 2, 3]],
    ['q', [4, 5, 6]],
  ]);
  await turnEnds();
  assert.deepEqual(flushed.at(-1), ['q', [7]]);
  assert.equal(flushed.length, 3);
});

test('with a limit of one every item leaves alone, at once', () => {
  const flushed: number[][] = [];
  const batches = new TurnBatches<number>((_key, items) => flushed.push(items), 1);
  batches.add('q', 1);
  batches.add('q', 2);
  assert.deepEqual(flushed, [[1], [2]]);
});
