// The `dev` task of the gateway and the workers: each `name=entry [args]` runs from source
// under `tsx watch` (restarted when its files or the workspace packages it imports change:
// the `@chat/source` export condition resolves them to their src/), its output prefixed with
// its name. Usage (in an app's folder): node ../../tools/dev-watch.mjs auth="src/main.ts auth" …
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { prefixLines } from './lib/setup.mjs';

const tsxCli = fileURLToPath(import.meta.resolve('tsx/cli'));
const specs = process.argv.slice(2).map((arg) => {
  const [name, command = ''] = arg.split('=');
  return { name, args: command.split(' ').filter(Boolean) };
});

const children = specs.map(({ name, args }) => {
  const child = spawn(
    process.execPath,
    [tsxCli, 'watch', '--clear-screen=false', '--conditions=@chat/source', ...args],
    // Its own process group: Ctrl-C reaches this process only, which passes it on once (tsx
    // relays it to the service; a second copy would make the service skip its graceful stop).
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  prefixLines(child.stdout, process.stdout, name);
  prefixLines(child.stderr, process.stderr, name);
  return child;
});

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGHUP', () => stop('SIGTERM'));
let running = children.length;
for (const child of children)
  child.on('exit', () => {
    if (--running === 0) process.exit(0);
  });
