import type { Encoder } from '@trpc/server/adapters/ws';

/**
 * tRPC's JSON framing for WebSocket messages, with the same batch cap as HTTP: a frame
 * holding more than `maxBatch` calls is answered PARSE_ERROR instead of running them all.
 */
export function batchLimitedEncoder(maxBatch: number): Encoder {
  return {
    encode: (data) => JSON.stringify(data),
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
