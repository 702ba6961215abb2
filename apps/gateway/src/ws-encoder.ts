import type { Encoder } from '@trpc/server/adapters/ws';
import { rememberedJson } from './events/event-json.js';

/**
 * tRPC's JSON framing for WebSocket messages, with the same batch cap as HTTP: a frame
 * holding more than `maxBatch` calls is answered PARSE_ERROR instead of running them all.
 * A tracked stream item whose event came from Redis as JSON is written with that text (see
 * events/event-json.ts): the same frame `JSON.stringify` would write, without serializing
 * the event once per socket.
 */
export function batchLimitedEncoder(maxBatch: number): Encoder {
  return {
    encode: (data) => encodeTrackedItem(data) ?? JSON.stringify(data),
    decode(data) {
      if (typeof data !== 'string')
        throw new Error('Binary frames are not supported: send JSON text');
      const parsed: unknown = JSON.parse(data);
      if (Array.isArray(parsed) && parsed.length > maxBatch)
        throw new Error(`A batch holds at most ${maxBatch} calls (got ${parsed.length})`);
      return parsed;
    },
  };
}

interface TrackedResponse {
  id?: unknown;
  jsonrpc?: unknown;
  result?: { type?: unknown; data?: { id?: unknown; data?: unknown }; id?: unknown };
}

/**
 * `{"id":…,"jsonrpc":…,"result":{"type":"data","data":{"id":…,"data":<event>},"id":…}}` —
 * tRPC's response for a `tracked(id, event)` item, members in the order it builds them — or
 * undefined when `data` is anything else (then JSON.stringify writes it).
 */
export function encodeTrackedItem(data: unknown): string | undefined {
  const response = data as TrackedResponse;
  const result = response.result;
  if (!result || result.type !== 'data' || typeof result.id !== 'string') return undefined;
  const payload = result.data;
  if (!payload || typeof payload !== 'object' || payload.id !== result.id) return undefined;
  const event = rememberedJson(payload.data);
  if (event === undefined) return undefined;
  if (!hasOnly(response, TOP) || !hasOnly(result, RESULT) || !hasOnly(payload, PAYLOAD))
    return undefined;
  const id = JSON.stringify(response.id);
  if (id === undefined) return undefined;
  const jsonrpc =
    response.jsonrpc === undefined ? '' : `"jsonrpc":${JSON.stringify(response.jsonrpc)},`;
  const entry = JSON.stringify(result.id);
  return `{"id":${id},${jsonrpc}"result":{"type":"data","data":{"id":${entry},"data":${event}},"id":${entry}}}`;
}

const TOP = new Set(['id', 'jsonrpc', 'result']);
const RESULT = new Set(['type', 'data', 'id']);
const PAYLOAD = new Set(['id', 'data']);

/** Every own enumerable key of `value` is one of `keys`. */
function hasOnly(value: object, keys: Set<string>): boolean {
  for (const key in value) if (!keys.has(key)) return false;
  return true;
}
