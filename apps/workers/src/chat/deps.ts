import type { Redis } from 'ioredis';
import type { DomainEvents } from '@chat/bus';
import type { Logger } from '@chat/core';
import type { ChatModels } from '@chat/db';
import type { FileStore, FileUrlSigner } from '@chat/files';
import type { RpcCaller } from '@chat/api';
import type { WorkerEnv } from '../env.js';

/** What every chat-worker module gets. */
export interface ChatDeps {
  models: ChatModels;
  events: DomainEvents;
  /** Typed RPC to other workers (and to the owners of other conversations). */
  rpc: RpcCaller;
  redis: Redis;
  env: WorkerEnv;
  log: Logger;
  /** Where uploads' bytes live (the sweeper and deletions remove them). */
  files: FileStore;
  /** Signs the URLs of attachments in answers. */
  urls: FileUrlSigner;
}
