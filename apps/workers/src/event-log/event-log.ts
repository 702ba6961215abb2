import type { Redis } from 'ioredis';
import { applyPatch, redisKeys, type EventPatch, type StoredEvent } from '@chat/api';

/**
 * Appends one event to a user's log unless its dedupe key was seen in the dedupe window,
 * trims what is both older than the age limit and beyond the newest N entries (remembering
 * the highest trimmed id), and publishes the entry on the user's live channel — in one
 * script, so a redelivered event is never appended twice, the floor never lags the trim,
 * and live subscribers see entries in log order.
 *
 * KEYS: stream, dedupe zset, floor.
 * ARGV: dedupe key, entry value, dedupe window ms, max events, max age ms, live channel,
 *       entry field ('e': the event's JSON; 'r': a reference `{"b":blob key,"p":patch}`).
 * Returns the new entry's id, or false when the event was already appended.
 */
const APPEND = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then return false end
local id = redis.call('XADD', KEYS[1], '*', ARGV[7], ARGV[2])
redis.call('ZADD', KEYS[2], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[3]))
local excess = redis.call('XLEN', KEYS[1]) - tonumber(ARGV[4])
if excess > 0 then
  local cutoff = now - tonumber(ARGV[5])
  if cutoff > 0 then
    local old = redis.call('XRANGE', KEYS[1], '-', '(' .. string.format('%d', cutoff) .. '-0',
      'COUNT', math.min(excess, 1000))
    if #old > 0 then
      local last = old[#old][1]
      local dash = string.find(last, '-', 1, true)
      local seq = tonumber(string.sub(last, dash + 1))
      redis.call('XTRIM', KEYS[1], 'MINID',
        string.sub(last, 1, dash - 1) .. '-' .. string.format('%d', seq + 1))
      redis.call('SET', KEYS[3], last)
    end
  end
end
redis.call('PUBLISH', ARGV[6], '{"id":"' .. id .. '","' .. ARGV[7] .. '":' .. ARGV[2] .. '}')
return id`;

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
  appendEvent(...args: Array<string | number>): Promise<string | null>;
}

/** The per-user logs of stored (replayable) events: Redis streams `events:{userId}`. */
export class EventLog {
  constructor(
    private readonly redis: Redis,
    private readonly options: EventLogOptions,
  ) {
    if (!('appendEvent' in redis))
      redis.defineCommand('appendEvent', { numberOfKeys: 3, lua: APPEND });
  }

  /**
   * Appends to many logs in one round trip (a pipeline of script calls). Each distinct
   * event is serialized once; one that would weigh more than SHARED_BODY_MIN_BYTES across
   * its recipients is stored once (`eventBody`) and referenced from each log.
   * Resolves to one flag per append, in the order given: true where it was appended now,
   * false where its dedupe key was already there (a redelivered or re-published event).
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
    /** For each pipeline reply: the index of its append, or -1 (a shared body stored). */
    const replyOf: number[] = [];
    for (const [event, list] of groups) {
      const json = JSON.stringify(event);
      const shared = json.length * list.length >= SHARED_BODY_MIN_BYTES;
      const bodyKey = redisKeys.eventBody(list[0]!.append.dedupeKey);
      if (shared) {
        pipeline.set(bodyKey, json, 'PX', this.options.sharedBodyTtlMs);
        replyOf.push(-1);
      }
      for (const { append: a, index } of list) {
        const [field, value] = shared
          ? ['r', JSON.stringify({ b: bodyKey, p: a.patch ?? {} })]
          : ['e', a.patch ? JSON.stringify(applyPatch(event, a.patch)) : json];
        void pipeline.appendEvent(
          redisKeys.eventLog(a.userId),
          redisKeys.eventLogDedupe(a.userId),
          redisKeys.eventLogFloor(a.userId),
          a.dedupeKey,
          value,
          this.options.dedupeWindowMs,
          Math.max(1, this.options.maxEvents),
          this.options.maxAgeMs,
          redisKeys.liveChannel(a.userId),
          field,
        );
        replyOf.push(index);
      }
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err !== null);
    if (failed) throw failed[0]!;
    const fresh = new Array<boolean>(appends.length).fill(false);
    results.forEach(([, reply], i) => {
      const index = replyOf[i]!;
      if (index >= 0) fresh[index] = typeof reply === 'string';
    });
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
