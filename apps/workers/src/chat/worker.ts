import { chatModels } from '@chat/db';
import { createDispatcher, type RpcHandlers } from '@chat/api';
import type { WorkerDefinition } from '../runtime.js';
import type { ChatDeps } from './deps.js';
import { conversationHandlers } from './conversations.js';
import { messageHandlers } from './messages.js';
import { receiptHandlers } from './receipts.js';
import { typingHandlers } from './typing.js';
import { groupHandlers } from './groups/handlers.js';

/** Conversations, messages, receipts, typing and groups: the `chat` database's owner. */
export const chatWorker: WorkerDefinition = {
  name: 'chat',
  database: 'chat',
  async start({ env, log, bus, db, redis }) {
    const deps: ChatDeps = { models: await chatModels(db), bus, redis, env, log };
    const handlers: RpcHandlers<'chat' | 'group'> = {
      ...conversationHandlers(deps),
      ...messageHandlers(deps),
      ...receiptHandlers(deps),
      ...typingHandlers(deps),
      ...groupHandlers(deps),
    };
    await bus.serve('chat', createDispatcher(handlers));
  },
};
