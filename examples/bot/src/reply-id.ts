import { createHash } from 'node:crypto';

/**
 * The clientId of the answer to message `messageId`: the same every time (a UUID v5-style
 * hash), so the server's idempotency keeps one answer even if an event is delivered twice.
 */
export function replyClientId(botId: string, messageId: string): string {
  const hex = createHash('sha1').update(`${botId}:${messageId}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
