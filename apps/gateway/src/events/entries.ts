import type { Redis } from 'ioredis';
import { applyPatch, type EventPatch, type StoredEvent } from '@chat/api';
import { parseRemembered } from './event-json.js';

/** A log entry as stored: the event itself, or a reference to a body stored once for many logs. */
export type Entry = { event: StoredEvent } | { body: string; patch: EventPatch } | null;

/** Decodes the fields of a stream entry (`e`: event JSON; `r`: `{"b": body key, "p": patch}`). */
export function decodeFields(fields: string[]): Entry {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1]!;
    if (fields[i] === 'e') return decodeValue('e', value);
    if (fields[i] === 'r') return decodeValue('r', value);
  }
  return null;
}

export function decodeValue(field: 'e' | 'r', value: unknown): Entry {
  try {
    const parsed = typeof value === 'string' ? parseRemembered(value) : value;
    if (field === 'e') return { event: parsed as StoredEvent };
    const ref = parsed as { b?: unknown; p?: unknown };
    if (typeof ref.b !== 'string') return null;
    return { body: ref.b, patch: (ref.p ?? {}) as EventPatch };
  } catch {
    return null;
  }
}

const MAX_BODIES = 2_000;

/**
 * Shared event bodies, fetched and parsed once per gateway however many of its users they go
 * to (a message to a large group arrives once per member here, all referring to one body).
 * The parsed event is shared: nothing downstream changes an event (a patch makes a copy).
 */
export class EventBodies {
  private readonly cache = new Map<string, Promise<StoredEvent | null>>();

  constructor(private readonly redis: Redis) {}

  /** The events of these entries, in order; undefined where a body is gone (expired). */
  async resolve(entries: Entry[]): Promise<Array<StoredEvent | null | undefined>> {
    const missing = [
      ...new Set(
        entries.flatMap((e) => (e && 'body' in e && !this.cache.has(e.body) ? [e.body] : [])),
      ),
    ];
    if (missing.length > 0) {
      const fetched = this.redis.mget(...missing);
      missing.forEach((key, i) => {
        const value = fetched.then((values) => {
          const body = values[i];
          return body ? (parseRemembered(body) as StoredEvent) : null;
        });
        // A failed read is not remembered: the next delivery asks again.
        value.catch(() => this.cache.delete(key));
        this.cache.set(key, value);
      });
      while (this.cache.size > MAX_BODIES) this.cache.delete(this.cache.keys().next().value!);
    }
    return Promise.all(
      entries.map(async (e) => {
        if (!e) return null;
        if ('event' in e) return e.event;
        const event = await this.cache.get(e.body)!;
        if (event === null) return undefined;
        // No patch (a message to a group): the shared event itself, with its JSON text.
        return Object.keys(e.patch).length === 0 ? event : applyPatch(event, e.patch);
      }),
    );
  }
}
