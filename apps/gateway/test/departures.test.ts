import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Departures, STORM_WINDOW_MS } from '../src/presence/departures.js';

test('closes are a storm once enough of them fall in the window and are a large enough share', () => {
  const d = new Departures(5, 0.1);
  const t0 = 1_000_000;
  // 1,000 sockets open: the fifth close in the window is a storm (5 ≥ 10 % of 1,000? no).
  for (let i = 0; i < 4; i++) assert.equal(d.record(t0 + i, 1_000 - i - 1), false);
  assert.equal(d.record(t0 + 4, 995), false, '5 closes are not 10 % of 1,000 sockets');
  // Among 40 sockets, 5 closes are enough.
  const small = new Departures(5, 0.1);
  for (let i = 0; i < 4; i++) assert.equal(small.record(t0 + i, 40 - i - 1), false, `close ${i}`);
  assert.equal(small.record(t0 + 4, 35), true);
});

test('closes out of the window no longer count', () => {
  const d = new Departures(3, 0);
  const t0 = 5_000_000;
  assert.equal(d.record(t0, 10), false);
  assert.equal(d.record(t0 + 1, 9), false);
  assert.equal(d.record(t0 + 2, 8), true);
  // The first three leave the window: a lone close later is people leaving again.
  assert.equal(d.record(t0 + 2 + STORM_WINDOW_MS, 7), false);
  assert.equal(d.record(t0 + 3 + STORM_WINDOW_MS, 6), false);
  assert.equal(d.record(t0 + 4 + STORM_WINDOW_MS, 5), true);
});

test('a whole gateway dropping its sockets is a storm; 0 sockets means never', () => {
  const d = new Departures(100, 0.1);
  const never = new Departures(0, 0);
  let storms = 0;
  for (let i = 0; i < 10_000; i++) {
    if (d.record(7_000_000 + i / 10, 10_000 - i - 1)) storms++;
    assert.equal(never.record(7_000_000 + i / 10, 10_000 - i - 1), false);
  }
  // The 1,000th close makes 10 % of 10,000: from then on every close is in the storm.
  assert.equal(storms, 9_001);
});
