import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Lane } from '../src/chat/owner/lane.js';

/** A lane whose flushes are recorded and held until released. */
function recordingLane(maxBatch?: number) {
  const flushes: number[][] = [];
  const pending: Array<() => void> = [];
  const lane = new Lane<number, string>(async (items) => {
    flushes.push(items);
    await new Promise<void>((release) => pending.push(release));
    return items.map((i) => `done ${i}`);
  }, maxBatch);
  const releaseAll = async () => {
    while (pending.length > 0) {
      pending.splice(0).forEach((release) => release());
      await new Promise((r) => setImmediate(r));
    }
  };
  return { lane, flushes, pending, releaseAll };
}

test('an idle lane flushes at once; items pushed while a flush runs go together in the next one, in order, at most maxBatch each', async () => {
  const { lane, flushes, releaseAll } = recordingLane(2);
  const first = lane.push(1);
  assert.deepEqual(flushes, [[1]], 'no wait: an idle message costs no timer');
  const rest = [2, 3, 4].map((i) => lane.push(i));
  await releaseAll();
  await Promise.all([first, ...rest]);
  assert.deepEqual(flushes, [[1], [2, 3], [4]]);
});

test('a failed flush rejects its own items only; the lane goes on', async () => {
  let calls = 0;
  const lane = new Lane<number, number>((items) => {
    calls++;
    return calls === 1 ? Promise.reject(new Error('store down')) : Promise.resolve(items);
  });
  await assert.rejects(lane.push(1), /store down/);
  assert.equal(await lane.push(2), 2);
});
