// `npm run dev`: the stack, then turbo's persistent `dev` tasks — the gateway and every worker
// from source in watch mode (restarted on a change of their package or a package they import)
// and Vite with hot reload, proxied to the gateway. Ctrl-C stops everything this started.
import { spawn } from 'node:child_process';
import { ensureDependencies, loadDotEnv, ROOT, stackUp, step } from './lib/setup.mjs';
import { localVapidKeys } from './lib/vapid.mjs';
import { DATA } from './stack/util.mjs';

Object.assign(process.env, loadDotEnv());

async function main() {
  ensureDependencies();
  const { env: stackEnv, startedHere } = await stackUp();
  const port = process.env.PORT ?? '4000';
  step(`Watching the gateway (:${port}), the workers and the web app (Vite)`);
  const turbo = spawn('npx', ['turbo', 'run', 'dev', '--env-mode=loose', '--output-logs=full'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      ...stackEnv,
      // Web Push: the same pair as `npm start` (browsers' subscriptions are bound to it).
      ...localVapidKeys(DATA),
      NODE_ENV: process.env.NODE_ENV ?? 'development',
      LOG_PRETTY: process.env.LOG_PRETTY ?? 'true',
      PORT: port,
      // Vite's dev server is the page's origin; the gateway must accept its WebSockets.
      PUBLIC_URL: process.env.PUBLIC_URL ?? `http://localhost:${port}`,
    },
  });
  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping the dev processes…');
    // A terminal's Ctrl-C reaches turbo too; a SIGTERM sent to this process alone must as well.
    if (turbo.exitCode === null) turbo.kill(signal);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const code = await new Promise((resolve) => turbo.on('exit', (c) => resolve(c ?? 0)));
  // Servers that were already running before this `npm run dev` keep running.
  if (startedHere) {
    const { stackDown } = await import('./stack/lib.mjs');
    await stackDown().catch((err) => console.error(err.message));
  }
  process.exit(stopping ? 0 : code);
}

main().catch((err) => {
  console.error(`\n✖ npm run dev failed: ${err.message}`);
  process.exit(1);
});
