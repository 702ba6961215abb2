// The short fuzz run (`npm run fuzz` runs it longer): raw HTTP and WebSocket probes, then
// schema-derived valid, boundary and hostile input for every procedure over HTTP and
// WebSocket. Every input must get a 4xx or a success — no 5xx, no hang, no crashed process.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FUZZ_SYSTEM_ENV, runFuzz } from '../fuzz/campaign.js';
import { TestSystem } from '../support/system.js';

/** Fixed by default so a failure reproduces; FUZZ_SEED explores other inputs. */
const SEED = Number(process.env.FUZZ_SEED ?? 20_240_701);
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 40);

describe('fuzz', () => {
  let system: TestSystem;
  before(async () => {
    system = await TestSystem.start({ env: FUZZ_SYSTEM_ENV });
  });
  after(() => system.stop());

  test(`${SECONDS} s of hostile input: no 5xx, no hang, no crash (seed ${SEED})`, async (t) => {
    const started = Date.now();
    const tally = await runFuzz(system, { seconds: SECONDS, seed: SEED });
    const summary = tally.summary((Date.now() - started) / 1000);
    t.diagnostic(summary.split('\n').at(-1)!);
    assert.ok(tally.sent > 200, `only ${tally.sent} inputs were sent:\n${summary}`);
    assert.equal(tally.fiveXX, 0, summary);
    assert.equal(tally.noAnswer, 0, summary);
    assert.deepEqual(tally.crashes, [], summary);
  });
});
