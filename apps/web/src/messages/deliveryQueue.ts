import type { TrpcUtils } from '../trpc';

/** Collects "delivered" receipts for a moment so a burst of messages costs one call. */
const FLUSH_AFTER_MS = 250;
const MAX_IDS = 500;

const pending = new Map<string, Set<string>>();
const acknowledged = new Set<string>();
let timer: ReturnType<typeof setTimeout> | null = null;

function flush(utils: TrpcUtils): void {
  timer = null;
  for (const [conversationId, ids] of pending) {
    pending.delete(conversationId);
    const all = [...ids];
    for (let i = 0; i < all.length; i += MAX_IDS) {
      const messageIds = all.slice(i, i + MAX_IDS);
      utils.client.chat.markDelivered.mutate({ conversationId, messageIds }).catch(() => {
        // Best effort: opening the conversation marks everything read anyway.
        for (const id of messageIds) acknowledged.delete(id);
      });
    }
  }
}

/** Tells the server this device received a message from someone else (once per message). */
export function acknowledgeDelivery(utils: TrpcUtils, conversationId: string, messageId: string) {
  if (acknowledged.has(messageId)) return;
  acknowledged.add(messageId);
  let ids = pending.get(conversationId);
  if (!ids) pending.set(conversationId, (ids = new Set()));
  ids.add(messageId);
  timer ??= setTimeout(() => flush(utils), FLUSH_AFTER_MS);
}

export function resetDeliveryQueue(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  pending.clear();
  acknowledged.clear();
}
