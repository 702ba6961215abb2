// `npm run bench -- [--clients N] [--messages M] [--rate R]`: the same set-up as
// `npm test`, then the delivery benchmark (a benchmark prints figures; it asserts nothing).
import { spawnSync } from 'node:child_process';
import { ROOT, build, ensureDependencies, stackUp, step } from '../lib/setup.mjs';

ensureDependencies();
build();
const { env, startedHere } = await stackUp();
step('Running the delivery benchmark');
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', 'tests/bench/delivery.ts', ...process.argv.slice(2)],
  {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  },
);
if (startedHere) {
  const { stackDown } = await import('../stack/lib.mjs');
  await stackDown();
}
process.exit(res.status ?? 1);
