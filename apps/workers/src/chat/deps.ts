import type { Redis } from 'ioredis';
import type { Bus } from '@chat/bus';
import type { Logger } from '@chat/core';
import type { ChatModels } from '@chat/db';
import type { WorkerEnv } from '../env.js';

/** What every chat-worker module gets. */
export interface ChatDeps {
  models: ChatModels;
  bus: Bus;
  redis: Redis;
  env: WorkerEnv;
  log: Logger;
}
