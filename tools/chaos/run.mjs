// `npm run chaos -- [options]`: install and build if needed, then the chaos suite
// (tests/chaos/main.ts). It starts a private stack of its own (never the shared servers),
// so nothing needs to run first. Exit code: the suite's (0 passed, 1 failed, 2 aborted).
import { spawn } from 'node:child_process';
import { ROOT, build, ensureDependencies, step } from '../lib/setup.mjs';

ensureDependencies();
build();
step('Running the chaos suite');
const child = spawn(
  process.execPath,
  ['--import', 'tsx', 'tests/chaos/main.ts', ...process.argv.slice(2)],
  { cwd: ROOT, stdio: 'inherit' },
);
// Ctrl-C reaches the suite itself (same process group): it cleans up and we wait for it
// (forwarding SIGINT would look like a second Ctrl-C, which skips the clean-up).
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
