import type { Connection } from '@chat/db';
import type { ChatMetrics } from '../metrics.js';

/** The collections the owner group-commits to (owner/store.ts). */
const WRITTEN = new Set(['messages', 'conversations', 'members']);

interface CommandStarted {
  requestId: number;
  commandName: string;
  command: { insert?: unknown; update?: unknown; documents?: unknown[]; updates?: unknown[] };
}

/**
 * Counts stored messages and the size of each write round from the MongoDB driver's command
 * events (the connection needs `monitorCommands`): every insert/update command on the chat
 * collections is one group-committed round, and an insert's reply says how many documents
 * it stored (duplicates refused by the unique index are not counted).
 */
export function observeChatWrites(db: Connection, metrics: ChatMetrics): void {
  const inserts = new Set<number>();
  const client = db.getClient();
  client.on('commandStarted', (event: CommandStarted) => {
    const { command } = event;
    const collection = event.commandName === 'insert' ? command.insert : command.update;
    if (typeof collection !== 'string' || !WRITTEN.has(collection)) return;
    const size = (event.commandName === 'insert' ? command.documents : command.updates)?.length;
    if (size) metrics.writeBatchSize.observe({ collection }, size);
    if (event.commandName === 'insert' && collection === 'messages') inserts.add(event.requestId);
  });
  client.on('commandSucceeded', (event: { requestId: number; reply?: { n?: unknown } }) => {
    if (!inserts.delete(event.requestId)) return;
    const stored = Number(event.reply?.n ?? 0);
    if (stored > 0) metrics.messagesStored.inc(stored);
  });
  client.on('commandFailed', (event: { requestId: number }) => inserts.delete(event.requestId));
}
