import type { StoredEvent } from './schemas/index.js';

/**
 * What differs per recipient of an event stored once for many users (e.g. each member's own
 * `unreadCount` in `conversation.updated`): merged one level deep into the shared event.
 */
export type EventPatch = Record<string, Record<string, unknown>>;

export function applyPatch(event: StoredEvent, patch: EventPatch): StoredEvent {
  const out: Record<string, unknown> = { ...event };
  for (const [key, fields] of Object.entries(patch)) {
    const base = out[key];
    out[key] = base && typeof base === 'object' ? { ...base, ...fields } : fields;
  }
  return out as StoredEvent;
}
