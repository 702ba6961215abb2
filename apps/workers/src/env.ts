import { createECDH } from 'node:crypto';
import { z } from 'zod';
import {
  commonEnv,
  envInt,
  envKey,
  envSecret,
  fileUrlEnv,
  jwtEnv,
  mongoEnv,
  parseEnv,
} from '@chat/core';
import { checkFileStorageEnv, fileStorageEnv } from '@chat/files';
import { tracingEnv } from '@chat/tracing';

// A development-only pair, like the other dev secrets: production must set its own.
const DEV_VAPID_PUBLIC_KEY =
  'BBBo_ACGCcDtRS_AsxgLkVLDutJtLP-tgocoIbUUBq13oDk_cZahyJilQSY8c-mYP_Dqt2hxcfF7k5MBzKdhakQ';
const DEV_VAPID_PRIVATE_KEY = '25gB39H7foTA1dQLHAWihorfB_RwO5xzHRKt-lwPlEs';

/** Every variable the workers read (see README "Configuration"); one schema for all four. */
export const workerEnvSchema = z
  .object({
    ...commonEnv,
    ...jwtEnv,
    ...tracingEnv,
    ...fileUrlEnv,
    ...fileStorageEnv,
    ...mongoEnv,
    JWT_REFRESH_SECRET: envSecret('dev-only-refresh-secret-fedcba9876543210'),
    ACCESS_TOKEN_TTL_S: envInt(15 * 60),
    REFRESH_TOKEN_TTL_S: envInt(7 * 24 * 60 * 60),
    BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
    PROFILE_CACHE_TTL_S: envInt(5 * 60),
    /** Timeout of worker-to-worker RPCs. */
    RPC_TIMEOUT_MS: envInt(5_000),
    WORKER_PREFETCH: envInt(16),
    /**
     * Chat and notification workers: how long a replica's claim on a partition lasts without
     * renewal (renewed every second); after a crash, its partitions move on after this long.
     */
    PARTITION_LEASE_MS: envInt(3_000),
    /** Unacked commands per owned partition (chat worker): how much one owner may batch. */
    OWNER_PREFETCH: envInt(256),
    /**
     * Chat worker: under load (two or more writes due within it), how long the owner's store
     * writes wait for others to share their round trip; 0 never waits. A quiet system never
     * waits.
     */
    CHAT_WRITE_LINGER_MS: z.coerce.number().int().min(0).max(100).default(5),
    /**
     * Members plus remembered messages an owner keeps in memory across the conversations it
     * holds; past it, the least recently used idle conversations are dropped (reloaded from
     * the store when next used). Roughly 1 GB at the default, by estimate: a few hundred
     * bytes per member, up to a few KB per message.
     */
    OWNER_CACHE_MAX_ITEMS: envInt(2_000_000),
    /** Per-user event log (`events:{userId}`): entries are trimmed only when older than this... */
    EVENT_LOG_MAX_AGE_S: envInt(24 * 60 * 60),
    /** ...and beyond this many newest entries (both must hold). */
    EVENT_LOG_MAX_EVENTS: envInt(1_000),
    /** How long an event log remembers what it appended, so a redelivered event appends nothing. */
    EVENT_DEDUPE_WINDOW_S: envInt(10 * 60),
    /**
     * How long an event stored once for many logs (large groups) is kept; a log entry that
     * outlives it is answered with `resync` on replay.
     */
    EVENT_SHARED_BODY_TTL_S: envInt(7 * 24 * 60 * 60),
    /** How long notifications (`notifications:{userId}`) are kept. */
    NOTIFICATION_TTL_S: envInt(24 * 60 * 60),
    /** How often the auth worker re-publishes `user.created` events the broker never confirmed. */
    USER_CREATED_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),
    /** How long a user whose last socket closed still shows online (reconnects within it are no blip). */
    PRESENCE_OFFLINE_GRACE_MS: envInt(10_000),
    /** The same when a gateway saw the user's socket close in a storm (many at once). */
    PRESENCE_STORM_GRACE_MS: envInt(60_000),
    /** How often the user worker turns users whose every socket expired offline. */
    PRESENCE_SWEEP_INTERVAL_MS: envInt(15_000),
    /** Chat workers: how often uploads no message used within 24 h are deleted; 0 = never. */
    UPLOAD_SWEEP_INTERVAL_MS: envInt(10 * 60 * 1000),
    /** chat.search: matches of a word read at once; a word with more is walked chunk by chunk. */
    SEARCH_PROBE_MATCHES: z.coerce.number().int().min(1).default(1_000),
    /** chat.search: chunk reads one page may spend walking before it ends early with a cursor. */
    SEARCH_WALK_BUDGET: z.coerce.number().int().min(1).default(400),
    /** Serves GET /health, /ready and /metrics (Prometheus) when set; 0 = off. */
    HEALTH_PORT: envInt(0),
    /** Where the health server listens: loopback unless probes come from outside (containers). */
    HEALTH_HOST: z.string().min(1).default('127.0.0.1'),
    /** How often the depth of the queues this worker consumes is sampled for /metrics; 0 = off. */
    QUEUE_SAMPLE_INTERVAL_MS: envInt(10_000),
    /**
     * Web Push (notification worker): the VAPID key pair (RFC 8292), base64url — the public key
     * an uncompressed P-256 point (65 bytes), the private key its 32-byte scalar. `npm start`
     * generates a pair into `.stack/vapid.json` when unset; production requires both.
     */
    VAPID_PUBLIC_KEY: envKey(65, DEV_VAPID_PUBLIC_KEY),
    VAPID_PRIVATE_KEY: envKey(32, DEV_VAPID_PRIVATE_KEY),
    /** Who push services may contact about this sender: a mailto: or https: URL. */
    VAPID_SUBJECT: z
      .string()
      .regex(/^(mailto:\S+@\S+|https:\/\/\S+)$/, 'must be a mailto: or https: URL')
      .default('mailto:admin@localhost'),
    /** Pushes in flight at once, per notification worker. */
    PUSH_CONCURRENCY: envInt(8),
    /** Pushes waiting beyond this many are dropped (and counted): pushing never holds up events. */
    PUSH_QUEUE_MAX: envInt(10_000),
    /** How long one push request may take, connect to answer. */
    PUSH_TIMEOUT_MS: envInt(10_000),
    /** How long a push service keeps an undelivered push (the TTL header). */
    PUSH_TTL_S: envInt(24 * 60 * 60),
    /** Subscriptions kept per user (browsers, devices); a new one beyond drops the oldest. */
    PUSH_MAX_SUBSCRIPTIONS_PER_USER: z.coerce.number().int().min(1).default(10),
  })
  .superRefine(checkFileStorageEnv)
  .superRefine(checkVapidPair);

/** The two VAPID keys must be one pair, or every push service would refuse the signature. */
function checkVapidPair(
  env: { VAPID_PUBLIC_KEY: string; VAPID_PRIVATE_KEY: string },
  ctx: z.RefinementCtx,
): void {
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from(env.VAPID_PRIVATE_KEY, 'base64url'));
    if (ecdh.getPublicKey('base64url') === env.VAPID_PUBLIC_KEY) return;
  } catch {
    // not a valid P-256 scalar: reported below
  }
  ctx.addIssue({
    code: 'custom',
    path: ['VAPID_PUBLIC_KEY'],
    message: 'is not the public key of VAPID_PRIVATE_KEY',
  });
}

export type WorkerEnv = z.infer<typeof workerEnvSchema>;

export const loadWorkerEnv = (
  source: Record<string, string | undefined> = process.env,
): WorkerEnv => parseEnv(workerEnvSchema, source);
