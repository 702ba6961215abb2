// `npm run bench:files -- [options]` (`--help` lists them): the same set-up as `npm test`
// (dependencies, build, the local stack), then the attachments benchmark (tests/bench/files.ts):
// upload/download throughput of a 20 MiB file and the gateway's RSS under 10 uploads at once,
// for GridFS and for S3 (moto, which tools/s3-server.mjs installs on first use).
import { spawn } from 'node:child_process';
import { ROOT, build, ensureDependencies, stackUp, step } from '../lib/setup.mjs';

ensureDependencies();
build();
const { env, startedHere } = await stackUp();
step('Running the attachments benchmark');

const child = spawn(
  process.execPath,
  ['--import', 'tsx', 'tests/bench/files.ts', ...process.argv.slice(2)],
  { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } },
);
// Ctrl-C reaches the benchmark too (same process group): it cleans up and exits by itself.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => child.kill('SIGTERM'));
const code = await new Promise((resolve) =>
  child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0))),
);
if (startedHere) {
  const { stackDown } = await import('../stack/lib.mjs');
  await stackDown();
}
process.exit(code);
