/**
 * The JSON text each stored event arrived in from Redis, kept beside the parsed event so the
 * WebSocket encoder writes that text into every frame instead of serializing the same event
 * again for each socket (a message to a 1,000-member group: one parse, no re-serialization).
 * Events are never changed after they are parsed (a patch makes a copy), so the text stays true.
 */
const texts = new WeakMap<object, string>();

/** Parses `json` and remembers it as the text of the parsed value (when that is an object). */
export function parseRemembered(json: string): unknown {
  const value: unknown = JSON.parse(json);
  if (typeof value === 'object' && value !== null) texts.set(value, json);
  return value;
}

/** The JSON text `value` was parsed from, if it came through parseRemembered. */
export function rememberedJson(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? texts.get(value) : undefined;
}
