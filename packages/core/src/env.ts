import { z } from 'zod';

/**
 * Parses process.env (or a given record) with a zod object schema and exits with
 * one readable line per bad variable, so a misconfigured process never half-starts.
 */
export function parseEnv<S extends z.ZodObject>(
  schema: S,
  source: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const picked: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = source[key];
    // Empty strings mean "unset" so `.env` lines like `AMQP_URL=` fall back to defaults.
    picked[key] = value === '' ? undefined : value;
  }
  // Secrets decide "production or not" from the same source being parsed (see envSecret).
  parsingNodeEnv = source.NODE_ENV;
  const result = schema.safeParse(picked);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

let parsingNodeEnv: string | undefined;

/** Helpers for env values, which are always strings. */
export const envInt = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);
export const envBool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');
export const envList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );

/** Variables every process reads. */
export const commonEnv = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  LOG_PRETTY: envBool(false),
  AMQP_URL: z.string().url().default('amqp://guest:guest@127.0.0.1:5672'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  /** Prefix of every RabbitMQ exchange and queue; lets isolated systems share a broker. Empty in production. */
  BUS_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9_.-]*$/)
    .default(''),
};

/**
 * A secret with a development fallback: production refuses to start without it,
 * so a deploy can't silently sign tokens with a value from the repository.
 */
export const envSecret = (devFallback: string) =>
  requiredInProduction(z.string().min(32, 'must be at least 32 characters'), devFallback);

/** `schema`, optional outside production (then `devFallback`), required in production. */
const requiredInProduction = (schema: z.ZodType<string>, devFallback: string) =>
  schema.optional().transform((v, ctx) => {
    if (v) return v;
    if ((parsingNodeEnv ?? process.env.NODE_ENV) === 'production') {
      ctx.addIssue({ code: 'custom', message: 'is required in production' });
      return z.NEVER;
    }
    return devFallback;
  });

/**
 * A base64url key of exactly `bytes` bytes (e.g. a VAPID key) with a development fallback:
 * like envSecret, production refuses to start without it.
 */
export const envKey = (bytes: number, devFallback: string) =>
  requiredInProduction(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url')
      .refine((v) => Buffer.from(v, 'base64url').length === bytes, `must decode to ${bytes} bytes`),
    devFallback,
  );

/** A switch for development aids: off unless set, and production refuses to start with it on. */
export const envDevOnlyBool = () =>
  envBool(false).transform((on: boolean, ctx): boolean => {
    if (on && (parsingNodeEnv ?? process.env.NODE_ENV) === 'production') {
      ctx.addIssue({ code: 'custom', message: 'must not be true in production' });
      return z.NEVER;
    }
    return on;
  });

/** Variables of the JWT settings shared by the auth worker (signs) and the gateway (verifies). */
/** MongoDB: the workers' databases, and the gateway's GridFS (in the chat database). */
export const mongoEnv = {
  MONGO_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URL')
    .default('mongodb://127.0.0.1:27017'),
  /** Prepended to each service's database name (auth, users, chat); tests isolate runs with it. */
  MONGO_DB_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_]*$/)
    .default(''),
};

/** The key of signed file URLs: the chat worker signs them, the gateway checks them. */
export const fileUrlEnv = {
  FILE_URL_SECRET: envSecret('dev-only-file-url-secret-00112233445566778899'),
};

export const jwtEnv = {
  JWT_ACCESS_SECRET: envSecret('dev-only-access-secret-0123456789abcdef'),
  JWT_ISSUER: z.string().min(1).default('chat-auth'),
  JWT_AUDIENCE: z.string().min(1).default('chat-api'),
};
