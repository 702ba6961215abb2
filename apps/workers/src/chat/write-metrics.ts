import type { Connection } from '@chat/db';
import type { ChatMetrics } from '../metrics.js';

/** The collections the owner group-commits to (owner/store.ts). */
const WRITTEN = new Set(['messages', 'conversations', 'members']);

/** A command's end (succeeded or failed); `duration` in milliseconds. */
interface CommandEnded {
  requestId: number;
  duration: number;
}

interface CommandStarted {
  requestId: number;
  commandName: string;
  command: { insert?: unknown; update?: unknown; documents?: unknown[]; updates?: unknown[] };
}

/**
 * Counts stored messages and the size and round trip of each write round from the MongoDB
 * driver's command events (the connection needs `monitorCommands`): every insert/update
 * command on the chat collections is one group-committed round, and an insert's reply says
 * how many documents it stored (duplicates refused by the unique index are not counted).
 */
export function observeChatWrites(db: Connection, metrics: ChatMetrics): void {
  /** Write commands in flight by request id; `stores`: an insert into messages. */
  const writes = new Map<number, { collection: string; stores: boolean }>();
  const client = db.getClient();
  client.on('commandStarted', (event: CommandStarted) => {
    const { command } = event;
    const collection = event.commandName === 'insert' ? command.insert : command.update;
    if (typeof collection !== 'string' || !WRITTEN.has(collection)) return;
    const size = (event.commandName === 'insert' ? command.documents : command.updates)?.length;
    if (size) metrics.writeBatchSize.observe({ collection }, size);
    const stores = event.commandName === 'insert' && collection === 'messages';
    writes.set(event.requestId, { collection, stores });
  });
  const ended = (event: CommandEnded) => {
    const write = writes.get(event.requestId);
    if (!write) return undefined;
    writes.delete(event.requestId);
    metrics.writeSeconds.observe({ collection: write.collection }, event.duration / 1000);
    return write;
  };
  client.on('commandSucceeded', (event: CommandEnded & { reply?: { n?: unknown } }) => {
    if (!ended(event)?.stores) return;
    const stored = Number(event.reply?.n ?? 0);
    if (stored > 0) metrics.messagesStored.inc(stored);
  });
  client.on('commandFailed', (event: CommandEnded) => void ended(event));
}
