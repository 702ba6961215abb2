// `npm start`: install, build, bring up the stack, run the gateway, the workers
// and the web app on one origin; Ctrl-C stops what this started.
import path from 'node:path';
import {
  ROOT,
  build,
  ensureDependencies,
  loadDotEnv,
  stackUp,
  startService,
  step,
  stopProcess,
  waitReady,
} from './lib/setup.mjs';

// `.env` fills what the environment leaves unset, before the stack reads its URLs.
Object.assign(process.env, loadDotEnv());
const PORT = Number(process.env.PORT ?? 4000);
const WORKERS = ['auth', 'user', 'chat', 'notification'];

async function main() {
  ensureDependencies();
  build();
  const { env: stackEnv, startedHere } = await stackUp();

  step('Starting the workers and the gateway');
  const env = {
    ...stackEnv,
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    LOG_PRETTY: process.env.LOG_PRETTY ?? 'true',
    PUBLIC_URL: process.env.PUBLIC_URL ?? `http://localhost:${PORT}`,
  };
  const children = [];
  let stopping = false;
  const stopAll = async (code) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping services…');
    await Promise.all(children.map((c) => stopProcess(c)));
    // Servers that were already running before this `npm start` keep running.
    if (startedHere) {
      const { stackDown } = await import('./stack/lib.mjs');
      await stackDown().catch((err) => console.error(err.message));
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  WORKERS.forEach((name, i) => {
    const healthPort = 9100 + i;
    const child = startService(`${name}-worker`, ['apps/workers/dist/main.js', name], {
      ...env,
      HEALTH_PORT: String(healthPort),
    });
    child.on(
      'exit',
      (code) =>
        !stopping && console.error(`${name} worker exited (${code}); stopping`) && void stopAll(1),
    );
    children.push(child);
  });
  const gateway = startService('gateway', ['apps/gateway/dist/main.js'], {
    ...env,
    PORT: String(PORT),
    STATIC_DIR: path.join(ROOT, 'apps/web/dist'),
  });
  gateway.on(
    'exit',
    (code) => !stopping && console.error(`gateway exited (${code}); stopping`) && void stopAll(1),
  );
  children.push(gateway);

  await waitReady(`http://127.0.0.1:${PORT}/ready`, gateway);
  for (let i = 0; i < WORKERS.length; i++)
    await waitReady(`http://127.0.0.1:${9100 + i}/ready`, children[i]);
  console.log(
    `\n✔ Chat is running:  http://localhost:${PORT}   (API: http://localhost:${PORT}/trpc)`,
  );
  console.log('  Press Ctrl-C to stop.\n');
}

main().catch((err) => {
  console.error(`\n✖ npm start failed: ${err.message}`);
  process.exit(1);
});
