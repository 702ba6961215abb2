import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '@chat/core';
import {
  currentContext,
  extractContext,
  injectContext,
  inSpan,
  SpanKind,
  startTracing,
  tracer,
  withContext,
} from '../src/index.js';

// Tracing off (no endpoint) must cost next to nothing: no SDK, no wrapping, no attributes.
test('without OTEL_EXPORTER_OTLP_ENDPOINT nothing starts and the helpers step aside', async () => {
  const tracing = startTracing(
    { OTEL_TRACES_SAMPLER_ARG: 1, OTEL_BSP_SCHEDULE_DELAY: 5000 },
    'x',
    createLogger({ service: 'test', level: 'silent' }),
  );
  assert.equal(tracing.enabled, false);
  assert.equal(tracer(), null);

  const work = Promise.resolve(42);
  let built = false;
  const result = inSpan(
    'op',
    {
      kind: SpanKind.INTERNAL,
      attributes: () => {
        built = true;
        return {};
      },
    },
    () => work,
  );
  assert.equal(result, work, 'the work itself is returned, not wrapped');
  assert.equal(await result, 42);
  assert.equal(built, false, 'attributes are never built');

  const headers: Record<string, unknown> = { 'x-request-id': 'r' };
  injectContext(headers);
  assert.deepEqual(headers, { 'x-request-id': 'r' });
  assert.equal(
    extractContext({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }),
    undefined,
  );
  assert.equal(currentContext(), undefined);
  assert.equal(
    withContext(undefined, () => 'ran'),
    'ran',
  );
  await tracing.shutdown();
});
