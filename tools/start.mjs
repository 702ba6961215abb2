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
import { createSupervisor } from './lib/supervise.mjs';
import { localVapidKeys } from './lib/vapid.mjs';
import { DATA } from './stack/util.mjs';

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
    // Web Push: the environment's pair, else one generated once into the stack's data dir.
    ...localVapidKeys(DATA),
  };
  let stopping = false;
  const stopAll = async (code) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping services…');
    await supervisor.stopAll((child) => stopProcess(child));
    // Servers that were already running before this `npm start` keep running.
    if (startedHere) {
      const { stackDown } = await import('./stack/lib.mjs');
      await stackDown().catch((err) => console.error(err.message));
    }
    process.exit(code);
  };
  // A crashed service is restarted with backoff; one that keeps crashing stops everything:
  // half a system that looks up is worse than a clear stop.
  const supervisor = createSupervisor({
    onGiveUp: (name, reason) => {
      console.error(
        `\n✖ ${reason}: it keeps crashing, so npm start stops everything. Its last log lines are above (prefixed "${name}").`,
      );
      void stopAll(1);
    },
  });
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  const readyUrls = [];
  WORKERS.forEach((name, i) => {
    const healthPort = 9100 + i;
    supervisor.add(`${name}-worker`, () =>
      startService(`${name}-worker`, ['apps/workers/dist/main.js', name], {
        ...env,
        HEALTH_PORT: String(healthPort),
      }),
    );
    readyUrls.push([`${name}-worker`, `http://127.0.0.1:${healthPort}/ready`]);
  });
  supervisor.add('gateway', () =>
    startService('gateway', ['apps/gateway/dist/main.js'], {
      ...env,
      PORT: String(PORT),
      STATIC_DIR: path.join(ROOT, 'apps/web/dist'),
    }),
  );
  readyUrls.unshift(['gateway', `http://127.0.0.1:${PORT}/ready`]);

  try {
    for (const [name, url] of readyUrls) await waitReady(url, supervisor.handle(name));
  } catch (err) {
    // Don't leave half a system running behind a failed start.
    console.error(`\n✖ npm start failed: ${err.message}`);
    await stopAll(1);
  }
  console.log(
    `\n✔ Chat is running:  http://localhost:${PORT}   (API: http://localhost:${PORT}/trpc)`,
  );
  console.log('  Press Ctrl-C to stop.\n');
}

main().catch((err) => {
  console.error(`\n✖ npm start failed: ${err.message}`);
  process.exit(1);
});
