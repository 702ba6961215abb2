// The attachments benchmark's own pieces (tests/bench/files): the body it uploads, the range it
// reads, and how it sums up samples. No server: the benchmark itself measures the system.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { RandomBody } from '../bench/files/random-body.js';
import { spread } from '../bench/files/report.js';
import { summarizeRss } from '../bench/files/rss-sampler.js';
import { middleRange } from '../bench/files/steps.js';
import { mibPerSecond } from '../bench/files/transfer.js';

async function collect(body: RandomBody): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of body) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('attachments benchmark helpers', () => {
  test('the random body has exactly its size and the digests of what it gave', async () => {
    const size = 300_000; // not a multiple of its 64 KiB chunks
    const range = { start: 65_000, end: 200_123 }; // across chunk boundaries
    const body = new RandomBody(size, range);
    assert.throws(() => body.sha256, /not been read/);
    const bytes = await collect(body);
    assert.equal(bytes.length, size);
    assert.equal(body.sha256.whole, sha256(bytes));
    assert.equal(body.sha256.range, sha256(bytes.subarray(range.start, range.end + 1)));
    const other = await collect(new RandomBody(size));
    assert.notDeepEqual(other, bytes, 'two bodies are different random bytes');
  });

  test('the range read is centred and exactly as long as asked', () => {
    const MiB = 2 ** 20;
    assert.deepEqual(middleRange(20 * MiB, MiB), { start: 9.5 * MiB, end: 10.5 * MiB - 1 });
    const r = middleRange(11, 4);
    assert.deepEqual(r, { start: 3, end: 6 });
  });

  test('MiB/s of a transfer', () => {
    assert.equal(mibPerSecond({ bytes: 20 * 2 ** 20, ms: 2_000 }), 10);
  });

  test('RSS summary: peak, median and longest gap, in MiB', () => {
    const s = summarizeRss([102_400, 204_800, 153_600], [50, 180, 49]);
    assert.deepEqual(s, { samples: 3, peakMib: 200, medianMib: 150, maxGapMs: 180 });
    assert.throws(() => summarizeRss([], []), /no RSS reading/);
  });

  test('spread: p50 with min and max; one sample alone; none', () => {
    const samples = [30, 10, 20].map((v) => ({ ms: 1000 / v, mibPerSecond: v }));
    assert.equal(spread(samples, 'mibPerSecond', 'MiB/s'), 'p50 20.0 MiB/s (min 10.0, max 30.0)');
    assert.equal(spread(samples.slice(0, 1), 'ms', 'ms'), '33 ms');
    assert.equal(spread([], 'ms', 'ms'), '–');
  });
});
