import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRemembered } from '../src/events/event-json.js';
import { batchLimitedEncoder, encodeTrackedItem } from '../src/ws-encoder.js';

const eventJson = JSON.stringify({
  type: 'message.new',
  message: { id: 'm1', content: 'a "quoted" $& \u2028 line', attachments: [] },
});

/** What tRPC's WebSocket adapter hands the encoder for `tracked(entry, event)`. */
function trackedResponse(event: unknown, id: unknown = 7, jsonrpc?: string) {
  const result: Record<string, unknown> = { type: 'data', data: event };
  result.id = '1-1700000000000-0';
  result.data = { id: '1-1700000000000-0', data: event };
  return { id, jsonrpc, result };
}

test('a tracked event parsed from Redis is written with its own text, the same frame JSON.stringify writes', () => {
  const event = parseRemembered(eventJson);
  for (const response of [
    trackedResponse(event),
    trackedResponse(event, 'sub-1', '2.0'),
    trackedResponse(event, null),
  ]) {
    const fast = encodeTrackedItem(response);
    assert.equal(fast, JSON.stringify(response));
    assert.equal(batchLimitedEncoder(10).encode(response), fast);
  }
});

test('anything else falls back to JSON.stringify', () => {
  const event = parseRemembered(eventJson);
  const notRemembered = JSON.parse(eventJson) as unknown;
  const cases: unknown[] = [
    trackedResponse(notRemembered),
    { id: 1, result: { type: 'data', data: event } }, // untracked item
    { id: 1, result: { type: 'started' } },
    { id: 1, error: { message: 'x' } },
    { ...trackedResponse(event), extra: true },
    (() => {
      const r = trackedResponse(event);
      (r.result.data as Record<string, unknown>).id = 'another';
      return r;
    })(),
  ];
  for (const response of cases) {
    assert.equal(encodeTrackedItem(response), undefined);
    assert.equal(batchLimitedEncoder(10).encode(response), JSON.stringify(response));
  }
});
