// `npm run fuzz -- [--seconds N] [--seed S]`: the same set-up as `npm test`, then the fuzz
// run of tests/fuzz (exits non-zero on any 5xx answer, hang or crashed process).
import { spawnSync } from 'node:child_process';
import { ROOT, build, ensureDependencies, stackUp, step } from '../lib/setup.mjs';

ensureDependencies();
build();
const { env, startedHere } = await stackUp();
step('Fuzzing the API (schema-derived inputs, raw HTTP and WebSocket probes)');
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', 'tests/fuzz/main.ts', ...process.argv.slice(2)],
  { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } },
);
if (startedHere) {
  const { stackDown } = await import('../stack/lib.mjs');
  await stackDown();
}
process.exit(res.status ?? 1);
