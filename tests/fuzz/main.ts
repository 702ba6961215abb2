/**
 * `npm run fuzz -- [--seconds N] [--seed S]`: starts an isolated system and sends it
 * valid, boundary and hostile input (schema-derived, over HTTP and WebSocket) plus raw
 * HTTP and WebSocket probes; prints the totals and exits non-zero on any 5xx, hang or crash.
 */
import { parseArgs } from 'node:util';
import { TestSystem } from '../support/system.js';
import { FUZZ_SYSTEM_ENV, runFuzz } from './campaign.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
  },
});
const seconds = Number(values.seconds);
const seed = Number(values.seed);

async function main(): Promise<number> {
  console.log(`fuzz: ${seconds} s, seed ${seed} (repeat a run with --seed ${seed})`);
  const started = Date.now();
  const system = await TestSystem.start({ env: FUZZ_SYSTEM_ENV });
  try {
    const tally = await runFuzz(system, { seconds, seed, log: (line) => console.log(`▸ ${line}`) });
    console.log(tally.summary((Date.now() - started) / 1000));
    return tally.ok ? 0 : 1;
  } finally {
    await system.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`fuzz failed to run: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(2);
  },
);
