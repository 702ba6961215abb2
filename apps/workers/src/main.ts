import { runWorker, type WorkerDefinition } from './runtime.js';
import { authWorker } from './auth/worker.js';
import { userWorker } from './user/worker.js';
import { chatWorker } from './chat/worker.js';
import { notificationWorker } from './notification/worker.js';

const WORKERS: Record<string, WorkerDefinition> = {
  auth: authWorker,
  user: userWorker,
  chat: chatWorker,
  notification: notificationWorker,
};

const name = process.argv[2] ?? process.env.WORKER ?? '';
const worker = WORKERS[name];
if (!worker) {
  console.error(`Usage: node dist/main.js <${Object.keys(WORKERS).join('|')}>  (got "${name}")`);
  process.exit(2);
}

runWorker(worker).catch((err: unknown) => {
  console.error(
    `${name} worker failed to start: ${err instanceof Error ? err.message : String(err)}`,
  );
  process.exit(1);
});
