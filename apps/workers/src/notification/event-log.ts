import type { Redis } from 'ioredis';
import type { StoredEvent } from '@chat/api';

/** Redis keys of one user's event log; the gateway reads the same keys. */
export const eventKeys = (userId: string) => ({
  stream: `events:${userId}`,
  /** The highest id ever trimmed: a `lastEventId` below it has lost events (→ resync). */
  floor: `events:${userId}:trimmed`,
  dedupe: (key: string) => `events:${userId}:dedupe:${key}`,
});

/**
 * Appends one event unless its dedupe key was seen, then trims what is both older than
 * the age limit and beyond the newest N entries, remembering the highest trimmed id.
 * One script, so a redelivered event can never be appended twice and the floor never
 * lags behind the trim.
 *
 * KEYS: stream, dedupe key, floor key. ARGV: event JSON, dedupe TTL s, max events, max age ms.
 * Returns the new entry's id, or false when the event was already appended.
 */
const APPEND = `
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[2]) then
  return false
end
local id = redis.call('XADD', KEYS[1], '*', 'e', ARGV[1])
local excess = redis.call('XLEN', KEYS[1]) - tonumber(ARGV[3])
if excess > 0 then
  local t = redis.call('TIME')
  local cutoff = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(ARGV[4])
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
return id`;

export interface EventLogOptions {
  maxEvents: number;
  maxAgeMs: number;
}

/** The per-user log of stored (replayable) events: Redis streams `events:{userId}`. */
export class EventLog {
  private readonly dedupeTtlS: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: EventLogOptions,
  ) {
    // A dedupe key outlives every redelivery or re-publish of its event by far.
    this.dedupeTtlS = Math.ceil(options.maxAgeMs / 1000) + 24 * 60 * 60;
    if (!('appendEvent' in redis))
      redis.defineCommand('appendEvent', { numberOfKeys: 3, lua: APPEND });
  }

  /**
   * Appends `event` to `userId`'s log once per `dedupeKey` (one logical event for that user).
   * Returns the stream id, or null when it was appended before.
   */
  async append(userId: string, dedupeKey: string, event: StoredEvent): Promise<string | null> {
    const keys = eventKeys(userId);
    const id = await (this.redis as unknown as AppendCommand).appendEvent(
      keys.stream,
      keys.dedupe(dedupeKey),
      keys.floor,
      JSON.stringify(event),
      this.dedupeTtlS,
      Math.max(1, this.options.maxEvents),
      this.options.maxAgeMs,
    );
    return id ?? null;
  }
}

interface AppendCommand {
  appendEvent(...args: Array<string | number>): Promise<string | null>;
}
