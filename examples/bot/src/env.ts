import { z } from 'zod';

const schema = z.object({
  /** The gateway's base URL (`/trpc` is appended). */
  CHAT_URL: z.url().default('http://127.0.0.1:4000'),
  /** The bot's account: username or email, and password. */
  BOT_IDENTIFIER: z.string().min(1),
  BOT_PASSWORD: z.string().min(1),
});

export type BotEnv = z.infer<typeof schema>;

/** The bot's configuration from the environment, or one readable line per bad variable. */
export function readEnv(source: Record<string, string | undefined> = process.env): BotEnv {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
}
