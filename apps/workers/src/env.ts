import { z } from 'zod';
import { commonEnv, envInt, envSecret, fileUrlEnv, jwtEnv, mongoEnv, parseEnv } from '@chat/core';
import { checkFileStorageEnv, fileStorageEnv } from '@chat/files';
import { tracingEnv } from '@chat/tracing';

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
  })
  .superRefine(checkFileStorageEnv);

export type WorkerEnv = z.infer<typeof workerEnvSchema>;

export const loadWorkerEnv = (
  source: Record<string, string | undefined> = process.env,
): WorkerEnv => parseEnv(workerEnvSchema, source);
