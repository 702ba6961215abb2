import { chatModels } from '@chat/db';
import { createFileStore, FileUrlSigner } from '@chat/files';
import { PARTITIONS, type RpcHandlers } from '@chat/api';
import { eventLogFromEnv } from '../event-log/event-log.js';
import { DisplayNames } from '../notices/display-names.js';
import { NotificationStore } from '../notices/notification-store.js';
import { createChatMetrics, createEventLogMetrics, observeOwnerCache } from '../metrics.js';
import type { WorkerDefinition } from '../runtime.js';
import type { ChatDeps } from './deps.js';
import { fileHandlers } from './files/handlers.js';
import { startUploadSweeper } from './files/sweeper.js';
import { forwardHandlers } from './forwards.js';
import { readHandlers } from './reads.js';
import { searchHandlers } from './search.js';
import { requireUsersVia } from './users.js';
import { observeChatWrites } from './write-metrics.js';
import { deleteForMe } from './owner/delete-for-me.js';
import { changeMessage } from './owner/message-changes.js';
import { mute } from './owner/mute.js';
import { openDirect } from './owner/direct.js';
import { OwnerEngine } from './owner/engine.js';
import { ConversationEvents } from './owner/events.js';
import { GroupCommands } from './owner/groups.js';
import { runReceipts, type ReceiptCommand } from './owner/receipts.js';
import { repairTail } from './owner/repair.js';
import { runSends, type SendCommand } from './owner/send.js';
import { ChatStore } from './owner/store.js';
import { typing } from './owner/typing.js';

/**
 * Conversations, messages, receipts, typing and groups: the `chat` database's owner.
 * Reads and lookups are answered from the shared queue by any replica; everything that
 * changes a conversation runs at the conversation's owner (owner/engine.ts).
 */
export const chatWorker: WorkerDefinition = {
  name: 'chat',
  database: 'chat',
  monitorCommands: true,
  async start({ env, log, events: domainEvents, db, redis, rpc, serve, balance, metrics, onStop }) {
    observeChatWrites(db, createChatMetrics(metrics.registry));
    const models = await chatModels(db);
    // GridFS (the default) keeps uploads in this same database.
    const files = createFileStore(env, { db: db.db! });
    onStop(() => files.close());
    const urls = new FileUrlSigner(env.FILE_URL_SECRET);
    const deps: ChatDeps = { models, events: domainEvents, rpc, redis, env, log, files, urls };
    const store = new ChatStore(models, { lingerMs: env.CHAT_WRITE_LINGER_MS });
    const logs = eventLogFromEnv(redis, env, createEventLogMetrics(metrics.registry));
    // A message's notifications are stored here for small audiences (owner/events.ts);
    // notification titles need senders' names, kept fresh by their renames.
    const names = new DisplayNames(rpc);
    const notifications = new NotificationStore(redis, env.NOTIFICATION_TTL_S * 1000);
    const events = new ConversationEvents({ ...deps, logs, notices: { names, notifications } });
    const engine = new OwnerEngine(
      models,
      log,
      (state) => repairTail({ models, events, log, urls }, state),
      env.OWNER_CACHE_MAX_ITEMS,
    );
    observeOwnerCache(metrics.registry, engine);
    const owned = { models, store, events, engine, urls };
    engine.onBatch('send', (state, commands) => runSends(owned, state, commands as SendCommand[]));
    engine.onBatch('receipt', (state, commands) =>
      runReceipts(owned, state, commands as ReceiptCommand[]),
    );
    const groups = new GroupCommands({ ...owned, requireUsers: requireUsersVia(rpc) });

    const handlers: RpcHandlers<'chat' | 'group'> = {
      ...readHandlers(deps),
      ...searchHandlers(deps),
      ...forwardHandlers(deps),
      ...fileHandlers(deps),
      'chat.send': (input, meta) => engine.enqueue(input.conversationId, 'send', { input, meta }),
      'chat.markRead': (input, meta) =>
        engine.enqueue(input.conversationId, 'receipt', { kind: 'read', input, meta }),
      'chat.markDelivered': (input, meta) =>
        engine.enqueue(input.conversationId, 'receipt', { kind: 'delivered', input, meta }),
      'chat.typing': (input, meta) => typing({ engine, redis }, input, meta),
      'chat.owner.openDirect': (input, meta) =>
        openDirect(owned, input.conversationId, input.userId, meta),
      'chat.owner.createGroup': ({ conversationId, ...input }, meta) =>
        groups.create(conversationId, input, meta),
      'chat.owner.deleteForMe': (input, meta) =>
        deleteForMe(owned, input.conversationId, input.messageId, meta),
      'chat.owner.changeMessage': (input, meta) =>
        changeMessage(
          { ...owned, files, log },
          input.conversationId,
          input.messageId,
          input.change,
          meta,
        ),
      'chat.mute': (input, meta) => mute(owned, input, meta),
      'group.update': (input, meta) => groups.update(input, meta),
      'group.addMembers': (input, meta) => groups.addMembers(input, meta),
      'group.removeMember': (input, meta) => groups.removeMember(input, meta),
      'group.setRole': (input, meta) => groups.setRole(input, meta),
      'group.leave': (input, meta) => groups.leave(input.groupId, meta),
    };
    const control = await serve(handlers, {
      partitions: PARTITIONS,
      partitionPrefetch: env.OWNER_PREFETCH,
      onPartitionConsumer: (p) => engine.resetPartition(p),
    });
    await balance(control);
    await domainEvents.subscribe({
      queue: 'chat.user_events',
      exchange: 'user_events',
      types: ['user.profile.updated'],
      handler: (event) => {
        names.set(event.data.id, event.data.displayName);
        return Promise.resolve();
      },
    });
    onStop(startUploadSweeper({ models, files, redis, log }, env.UPLOAD_SWEEP_INTERVAL_MS));
  },
};
