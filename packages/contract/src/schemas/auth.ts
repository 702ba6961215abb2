import { z } from 'zod';
import { oneLine, safeString } from './common.js';
import { meSchema } from './user.js';

/** UTF-8 length without Buffer (browsers have none); a lone surrogate counts as U+FFFD's 3. */
function utf8Bytes(s: string): number {
  let bytes = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** bcrypt reads only the first 72 bytes; longer passwords are refused, never truncated. */
export const passwordSchema = safeString()
  .refine((p) => utf8Bytes(p) >= 8, 'Password must be at least 8 bytes')
  .refine((p) => utf8Bytes(p) <= 72, 'Password must be at most 72 UTF-8 bytes')
  .describe('8–72 UTF-8 bytes');

export const usernameSchema = z
  .string()
  .regex(/^[a-z0-9_]{3,32}$/, 'Username must be 3–32 characters of a-z, 0-9 and _');

export const registerInput = z.strictObject({
  username: usernameSchema,
  email: z
    .string()
    .trim()
    .max(254)
    .check(...oneLine)
    .pipe(z.email('Invalid email address'))
    .transform((e) => e.toLowerCase())
    .describe('an email address'),
  password: passwordSchema,
});
export type RegisterInput = z.infer<typeof registerInput>;

export const loginInput = z.strictObject({
  identifier: z
    .string()
    .trim()
    .min(1)
    .max(254)
    .check(...oneLine)
    .transform((v) => v.toLowerCase()),
  // Bounded so a huge body can't cost a bcrypt round; over-long passwords simply fail.
  password: safeString().min(1).max(1024),
});
export type LoginInput = z.infer<typeof loginInput>;

export const refreshInput = z.strictObject({ refreshToken: safeString().min(1).max(4096) });
export type RefreshInput = z.infer<typeof refreshInput>;

export const tokenPairSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  accessTokenExpiresAt: z.string(),
});
export type TokenPair = z.infer<typeof tokenPairSchema>;

export const sessionSchema = tokenPairSchema.extend({ user: meSchema });
export type Session = z.infer<typeof sessionSchema>;
