// `npm run bench -- [options]` (`--help` lists them): the same set-up as `npm test`, then
// the hot-path benchmark (tests/bench/main.ts). A benchmark prints figures; it asserts nothing.
import { spawn, spawnSync } from 'node:child_process';
import { ROOT, build, ensureDependencies, stackUp, step } from '../lib/setup.mjs';

/** Open files the benchmark needs: 10,000 client sockets here plus as many in the gateway. */
const OPEN_FILES = 65536;

ensureDependencies();
build();
const { env, startedHere } = await stackUp();
step('Running the benchmark');

// Children inherit the limit: raise it in a shell (root may raise the hard limit too).
const hasShell = spawnSync('sh', ['-c', 'true']).status === 0;
const node = [process.execPath, '--import', 'tsx', 'tests/bench/main.ts', ...process.argv.slice(2)];
const [cmd, ...args] = hasShell
  ? [
      'sh',
      '-c',
      `ulimit -n ${OPEN_FILES} 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"`,
      'bench',
      ...node,
    ]
  : node;
const child = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
// Ctrl-C reaches the benchmark too (same process group): it cleans up and exits by itself.
const forward = (signal) => () => child.kill(signal);
process.on('SIGINT', () => undefined);
process.on('SIGTERM', forward('SIGTERM'));
const code = await new Promise((resolve) =>
  child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0))),
);
if (startedHere) {
  const { stackDown } = await import('../stack/lib.mjs');
  await stackDown();
}
process.exit(code);
