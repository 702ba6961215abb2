// `npm run cluster -- [--gateways 3] [--workers 2] [--port 8080]`: the same set-up as
// `npm start` (install, build, local stack, Debian's nginx if missing), then N gateways and
// N replicas of each worker behind NGINX at http://localhost:8080 (tests/cluster/main.ts).
// Ctrl-C stops everything this started, the stack too if this started it.
import { spawn } from 'node:child_process';
import {
  ROOT,
  build,
  ensureDependencies,
  ensureNginx,
  loadDotEnv,
  stackUp,
  step,
} from './lib/setup.mjs';

Object.assign(process.env, loadDotEnv());
ensureDependencies();
build();
await ensureNginx();
const { env, startedHere } = await stackUp();
step('Starting the cluster');
const child = spawn(
  process.execPath,
  ['--import', 'tsx', 'tests/cluster/main.ts', ...process.argv.slice(2)],
  { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } },
);
// Ctrl-C reaches the child too (same process group); it stops its processes, then we the stack.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', async (code) => {
  if (startedHere) {
    const { stackDown } = await import('./stack/lib.mjs');
    await stackDown().catch((err) => console.error(err.message));
  }
  process.exit(code ?? 1);
});
