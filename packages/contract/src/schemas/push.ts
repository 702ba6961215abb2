import { z } from 'zod';
import { oneLine } from './common.js';

/** A push service endpoint: an https URL (RFC 8030). Address checks (SSRF) happen in the worker. */
const endpointSchema = z
  .string()
  .max(2048)
  .check(...oneLine)
  .url()
  .refine((url) => url.startsWith('https://'), { message: 'endpoint must be an https URL' });

/** base64url without padding, as PushSubscription.toJSON() gives it. */
const base64url = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, { message: 'must be base64url' });

export const pushSubscribeInput = z.strictObject({
  endpoint: endpointSchema,
  // p256dh: an uncompressed P-256 point (65 bytes → 87 chars); auth: 16 bytes → 22 chars.
  keys: z.strictObject({ p256dh: base64url(80, 100), auth: base64url(16, 32) }),
});
export type PushSubscribeInput = z.infer<typeof pushSubscribeInput>;

export const pushUnsubscribeInput = z.strictObject({
  endpoint: z
    .string()
    .max(2048)
    .check(...oneLine),
});
export type PushUnsubscribeInput = z.infer<typeof pushUnsubscribeInput>;

export const vapidPublicKeySchema = z.object({ publicKey: z.string() });
