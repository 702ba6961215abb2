import { z } from 'zod';
import {
  commonEnv,
  envBool,
  envDevOnlyBool,
  envInt,
  envList,
  fileUrlEnv,
  jwtEnv,
  mongoEnv,
  parseEnv,
} from '@chat/core';
import { DEFAULT_FILE_MAX_BYTES } from '@chat/api';
import { checkFileStorageEnv, fileStorageEnv } from '@chat/files';
import { tracingEnv } from '@chat/tracing';

/** Every variable the gateway reads (see README "Configuration"). */
export const gatewayEnvSchema = z
  .object({
    ...commonEnv,
    ...jwtEnv,
    ...tracingEnv,
    ...fileUrlEnv,
    // GridFS (the default file store) lives in the chat database: `<MONGO_DB_PREFIX>chat`.
    ...mongoEnv,
    ...fileStorageEnv,
    PORT: envInt(4000),
    HOST: z.string().default('127.0.0.1'),
    /** The app's own origin: always allowed for WebSocket upgrades and CORS. */
    PUBLIC_URL: z.string().url().default('http://localhost:4000'),
    ALLOWED_ORIGINS: envList('http://localhost:5173,http://127.0.0.1:5173'),
    /** Use X-Forwarded-For for the client address (only behind a proxy you run). */
    TRUST_PROXY: envBool(false),
    /** Built web app to serve at `/` (same origin as the API); unset = API only. */
    STATIC_DIR: z.string().optional(),
    /** Stack traces in error answers, for debugging only; refused in production. */
    EXPOSE_ERROR_STACKS: envDevOnlyBool(),
    RPC_TIMEOUT_MS: envInt(10_000),
    MAX_BODY_BYTES: envInt(64 * 1024),
    /** Calls in one HTTP batch or one WebSocket frame; more is BAD_REQUEST / PARSE_ERROR. */
    MAX_BATCH_SIZE: z.coerce.number().int().min(1).default(50),
    SHUTDOWN_DRAIN_MS: envInt(5_000),
    /** Serve /metrics on this port only (kept off the public one); 0 = on PORT with the rest. */
    METRICS_PORT: envInt(0),
    RATE_LOGIN_FAILURES_PER_IDENTIFIER: envInt(10),
    RATE_LOGIN_FAILURES_WINDOW_S: envInt(15 * 60),
    RATE_LOGIN_FAILURES_PER_IP: envInt(100),
    RATE_LOGIN_IP_WINDOW_S: envInt(60 * 60),
    RATE_REGISTER_PER_IP: envInt(10),
    RATE_REGISTER_WINDOW_S: envInt(60 * 60),
    RATE_SEND_PER_USER: envInt(30),
    RATE_SEND_WINDOW_S: envInt(10),
    RATE_TYPING_PER_USER: envInt(10),
    RATE_TYPING_WINDOW_S: envInt(5),
    RATE_UPLOAD_PER_USER: envInt(20),
    RATE_UPLOAD_WINDOW_S: envInt(60),
    RATE_REACT_PER_USER: envInt(60),
    RATE_REACT_WINDOW_S: envInt(60),
    RATE_SEARCH_PER_USER: envInt(30),
    RATE_SEARCH_WINDOW_S: envInt(60),
    RATE_DEFAULT_PER_CONNECTION: envInt(100),
    RATE_DEFAULT_WINDOW_S: envInt(1),
    /** Largest upload (POST /files); more is 413. */
    FILE_MAX_BYTES: envInt(DEFAULT_FILE_MAX_BYTES),
    /** Uploads one user may stream at once through one gateway; more is 429. */
    UPLOAD_CONCURRENCY_PER_USER: envInt(4),
    /**
     * Uploads one gateway receives at once, from everyone (each holds a store write and its
     * buffers); more is 503 with Retry-After, so many accounts can't exhaust one gateway.
     */
    UPLOAD_CONCURRENCY_PER_GATEWAY: envInt(64),
    /** How long one request (an upload on a slow link) may take to arrive. */
    REQUEST_TIMEOUT_MS: envInt(10 * 60 * 1000),
    /** A socket's presence entry expires this long after its last heartbeat (a dead gateway's too). */
    PRESENCE_TTL_MS: envInt(90_000),
    PRESENCE_HEARTBEAT_MS: envInt(30_000),
    /**
     * Sockets closing within 5 s that make a storm (a network blip, a dropped proxy), if they
     * are also PRESENCE_STORM_SHARE of this gateway's sockets: their users' offline then waits
     * the user worker's PRESENCE_STORM_GRACE_MS. 0 = never a storm.
     */
    PRESENCE_STORM_SOCKETS: envInt(100),
    PRESENCE_STORM_SHARE: z.coerce.number().min(0).max(1).default(0.1),
    /** A WebSocket silent this long gets a PING; still silent WS_PONG_WAIT_MS later, it is dropped. */
    WS_PING_AFTER_MS: envInt(30_000),
    WS_PONG_WAIT_MS: envInt(10_000),
  })
  .superRefine(checkFileStorageEnv);

export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

export const loadGatewayEnv = (
  source: Record<string, string | undefined> = process.env,
): GatewayEnv => parseEnv(gatewayEnvSchema, source);
