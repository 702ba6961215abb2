/**
 * Redis keys and channels shared by several processes (the notification worker appends to
 * the event logs, gateways read them, the chat worker publishes typing, the user worker and
 * gateways share presence). One place, so no process spells one differently.
 */
export const redisKeys = {
  /** A user's event log: a stream of stored (replayable) events. */
  eventLog: (userId: string) => `events:${userId}`,
  /** The highest log id ever trimmed: a `lastEventId` below it has lost events (→ resync). */
  eventLogFloor: (userId: string) => `events:${userId}:trimmed`,
  /** Recent dedupe keys of a user's log (sorted set: key → time appended). */
  eventLogDedupe: (userId: string) => `events:${userId}:dedupe`,
  /** An event stored once for many logs, which refer to it (its dedupe key names it). */
  eventBody: (dedupeKey: string) => `events:body:${dedupeKey}`,
  /** The event logs' epoch `<ms>:<redis run id>`: it changes when Redis may have lost writes. */
  eventEpoch: 'events:epoch',
  /** Live pub/sub channel of a user: stored events as appended, and typing/presence. */
  liveChannel: (userId: string) => `live:${userId}`,
  liveChannelPrefix: 'live:',
  /** A user's sockets on all gateways (sorted set socketId → expiry ms). */
  presence: (userId: string) => `presence:${userId}`,
  /** Held by the one user worker that sweeps expired sockets at a time. */
  presenceSweepLock: 'presence:sweeper',
  /** Held by the one chat worker that deletes unused uploads at a time. */
  uploadSweepLock: 'files:sweeper',
  /** The user worker's read-through cache of a profile (`Me` with a version). */
  profileCache: (userId: string) => `profile:${userId}`,
} as const;
