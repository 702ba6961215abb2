import type { Redis } from 'ioredis';
import { applyPatch, redisKeys, type EventPatch, type StoredEvent } from '@chat/api';

/**
 * Appends events to users' logs, each unless its dedupe key was seen in the dedupe window,
 * trims what is both older than the age limit and beyond the newest N entries (remembering
 * the highest trimmed id), and publishes each entry on its user's live channel — in one
 * script per batch of appends, so a redelivered event is never appended twice, the floor
 * never lags the trim, and live subscribers see entries in log order. One call for many
 * users: a message to a large group costs a few script calls, not one per recipient.
 *
 * KEYS: per append, its user's stream, dedupe zset and floor.
 * ARGV: dedupe window ms, max events, max age ms; then per append its dedupe key, entry
 *       value, live channel and entry field ('e': the event's JSON; 'r': a reference
 *       `{"b":blob key,"p":patch}`).
 * Returns per append the new entry's id, or nil when that event was already appended.
 */
const APPEND = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window, maxEvents, maxAge = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local ids = {}
for i = 1, #KEYS / 3 do
  local stream, dedupe, floor = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  local a = 4 * i
  local key, value, channel, field = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
  if redis.call('ZSCORE', dedupe, key) then
    ids[i] = false
  else
    local id = redis.call('XADD', stream, '*', field, value)
    redis.call('ZADD', dedupe, now, key)
    redis.call('ZREMRANGEBYSCORE', dedupe, '-inf', now - window)
    redis.call('PEXPIRE', dedupe, window)
    local excess = redis.call('XLEN', stream) - maxEvents
    if excess > 0 then
      local cutoff = now - maxAge
      if cutoff > 0 then
        local old = redis.call('XRANGE', stream, '-', '(' .. string.format('%d', cutoff) .. '-0',
          'COUNT', math.min(excess, 1000))
        if #old > 0 then
          local last = old[#old][1]
          local dash = string.find(last, '-', 1, true)
          local seq = tonumber(string.sub(last, dash + 1))
          redis.call('XTRIM', stream, 'MINID',
            string.sub(last, 1, dash - 1) .. '-' .. string.format('%d', seq + 1))
          redis.call('SET', floor, last)
        end
      end
    end
    redis.call('PUBLISH', channel, '{"id":"' .. id .. '","' .. field .. '":' .. value .. '}')
    ids[i] = id
  end
end
return ids`;

/**
 * Appends per script call: a call runs alone in Redis, so this bounds how long other clients
 * wait behind one (≈ 25 µs an append: a few milliseconds).
 */
const APPENDS_PER_CALL = 100;

export interface EventLogOptions {
  maxEvents: number;
  maxAgeMs: number;
  /** How long a dedupe key is remembered: longer than any redelivery or re-publish takes. */
  dedupeWindowMs: number;
  /** How long an event stored once for many logs is kept (see `appendAll`). */
  sharedBodyTtlMs: number;
  /** After each round: entries appended, and appends skipped as already seen (metrics). */
  onAppended?: (appended: number, duplicates: number) => void;
}

/**
 * One event for one user's log, appended once per `dedupeKey` (one logical event: the same
 * for every recipient of it). `patch` holds what differs per user: merged one level deep
 * into `event` (e.g. `{ conversation: { unreadCount } }`).
 */
export interface Append {
  userId: string;
  dedupeKey: string;
  event: StoredEvent;
  patch?: EventPatch;
}

/**
 * Above this many bytes in all (event size × recipients), an event is stored once and the
 * logs hold a reference: a message to a 1,000-member group or a member change of a
 * 10,000-member group (whose Conversation lists every participant) would otherwise be
 * copied into every log.
 */
const SHARED_BODY_MIN_BYTES = 64 * 1024;

interface AppendCommand {
  appendEvents(keyCount: number, ...args: Array<string | number>): Promise<unknown>;
}

/** The per-user logs of stored (replayable) events: Redis streams `events:{userId}`. */
export class EventLog {
  constructor(
    private readonly redis: Redis,
    private readonly options: EventLogOptions,
  ) {
    if (!('appendEvents' in redis)) redis.defineCommand('appendEvents', { lua: APPEND });
  }

  /**
   * Appends to many logs in one round trip (a pipeline of script calls, each for up to
   * APPENDS_PER_CALL appends). Each distinct event is serialized once; one that would weigh
   * more than SHARED_BODY_MIN_BYTES across its recipients is stored once (`eventBody`) and
   * referenced from each log. Resolves to one flag per append, in the order given: true
   * where it was appended now, false where its dedupe key was already there (a redelivered
   * or re-published event).
   */
  async appendAll(appends: readonly Append[]): Promise<boolean[]> {
    if (appends.length === 0) return [];
    const groups = new Map<StoredEvent, Array<{ append: Append; index: number }>>();
    appends.forEach((append, index) => {
      const list = groups.get(append.event);
      if (list) list.push({ append, index });
      else groups.set(append.event, [{ append, index }]);
    });
    const pipeline = this.redis.pipeline() as unknown as AppendCommand & {
      set(...args: Array<string | number>): unknown;
      exec(): Promise<Array<[Error | null, unknown]> | null>;
    };
    // In the order their entries are appended (each user's log in the order given).
    let bodies = 0;
    const ordered: Array<{ append: Append; index: number; field: 'e' | 'r'; value: string }> = [];
    for (const [event, list] of groups) {
      const json = JSON.stringify(event);
      const shared = json.length * list.length >= SHARED_BODY_MIN_BYTES;
      const bodyKey = redisKeys.eventBody(list[0]!.append.dedupeKey);
      // Queued before the script calls that reference it.
      if (shared) {
        pipeline.set(bodyKey, json, 'PX', this.options.sharedBodyTtlMs);
        bodies++;
      }
      for (const { append: a, index } of list)
        ordered.push(
          shared
            ? {
                append: a,
                index,
                field: 'r',
                value: JSON.stringify({ b: bodyKey, p: a.patch ?? {} }),
              }
            : {
                append: a,
                index,
                field: 'e',
                value: a.patch ? JSON.stringify(applyPatch(event, a.patch)) : json,
              },
        );
    }
    /** Each script call: its reply's place in the pipeline (after the bodies), its appends. */
    const calls: Array<{ reply: number; indexes: number[] }> = [];
    for (let from = 0; from < ordered.length; from += APPENDS_PER_CALL) {
      const batch = ordered.slice(from, from + APPENDS_PER_CALL);
      const keys: string[] = [];
      const args: Array<string | number> = [
        this.options.dedupeWindowMs,
        Math.max(1, this.options.maxEvents),
        this.options.maxAgeMs,
      ];
      for (const { append: a, field, value } of batch) {
        keys.push(
          redisKeys.eventLog(a.userId),
          redisKeys.eventLogDedupe(a.userId),
          redisKeys.eventLogFloor(a.userId),
        );
        args.push(a.dedupeKey, value, redisKeys.liveChannel(a.userId), field);
      }
      void pipeline.appendEvents(keys.length, ...keys, ...args);
      calls.push({ reply: bodies + calls.length, indexes: batch.map((b) => b.index) });
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err !== null);
    if (failed) throw failed[0]!;
    const fresh = new Array<boolean>(appends.length).fill(false);
    for (const { reply, indexes } of calls) {
      const ids = results[reply]?.[1];
      if (!Array.isArray(ids))
        throw new Error('event log: unexpected reply from the append script');
      indexes.forEach((index, i) => (fresh[index] = typeof ids[i] === 'string'));
    }
    if (this.options.onAppended) {
      const appended = fresh.filter(Boolean).length;
      this.options.onAppended(appended, appends.length - appended);
    }
    return fresh;
  }
}

/** The event log settings every worker's env has. */
export interface EventLogEnv {
  EVENT_LOG_MAX_EVENTS: number;
  EVENT_LOG_MAX_AGE_S: number;
  EVENT_DEDUPE_WINDOW_S: number;
  EVENT_SHARED_BODY_TTL_S: number;
}

/** An EventLog configured from the worker's env, counting its appends by outcome. */
export function eventLogFromEnv(
  redis: Redis,
  env: EventLogEnv,
  appends: { inc(labels: { outcome: 'appended' | 'duplicate' }, value: number): void },
): EventLog {
  return new EventLog(redis, {
    maxEvents: env.EVENT_LOG_MAX_EVENTS,
    maxAgeMs: env.EVENT_LOG_MAX_AGE_S * 1000,
    dedupeWindowMs: env.EVENT_DEDUPE_WINDOW_S * 1000,
    sharedBodyTtlMs: env.EVENT_SHARED_BODY_TTL_S * 1000,
    onAppended: (appended, duplicates) => {
      appends.inc({ outcome: 'appended' }, appended);
      appends.inc({ outcome: 'duplicate' }, duplicates);
    },
  });
}
