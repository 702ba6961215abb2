import type { StoredEvent } from '@chat/api';

/**
 * When an event's change was stored, in epoch ms: the message's `createdAt`, a receipt's
 * `at`, a notification's `createdAt`; for the others, when it was appended to the user's
 * log (a stream entry id starts with its append time in ms).
 */
export function storedAt(event: StoredEvent, entry: string): number {
  const iso =
    event.type === 'message.new'
      ? event.message.createdAt
      : event.type === 'message.status'
        ? event.at
        : event.type === 'notification.new'
          ? event.notification.createdAt
          : null;
  const at = iso === null ? NaN : Date.parse(iso);
  return Number.isNaN(at) ? Number(entry.split('-')[0]) : at;
}
