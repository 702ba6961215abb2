/**
 * `node --import tsx tests/bench/tracing-overhead.ts`: the CPU the tracing helpers cost per
 * operation, off and on (every span sampled and exported to a loopback OTLP receiver), used
 * as the bus uses them per call: a span around the work plus `traceparent` in and out. On,
 * operations run in rounds the exporter can keep up with (its queue drops spans beyond
 * 2,048), and each round waits until the receiver has every span, so export is included; the
 * receiver runs in this process, so its JSON parsing is included too (an upper bound).
 * Figures only (docs/performance.md "Tracing cost").
 */
import { createLogger } from '@chat/core';
import { extractContext, injectContext, inSpan, SpanKind, startTracing } from '@chat/tracing';
import { OtlpReceiver } from '../support/otlp-receiver.js';

const OPERATIONS = 100_000;
const ROUND = 1_000;

const work = () => Promise.resolve(1);
const attributes = () => ({ 'rpc.method': 'chat.send', 'messaging.system': 'rabbitmq' });

function tracedCall(): Promise<number> {
  return inSpan('call chat.send', { kind: SpanKind.CLIENT, attributes }, () => {
    const headers: Record<string, unknown> = {};
    injectContext(headers);
    extractContext(headers);
    return work();
  });
}

/** CPU time (user + system) per operation, in ns; `settle` runs after each round. */
async function cpuPerOperation(
  run: () => Promise<unknown>,
  settle: (done: number) => Promise<void> = () => Promise.resolve(),
): Promise<number> {
  for (let i = 0; i < ROUND; i++) await run();
  await settle(ROUND);
  const started = process.cpuUsage();
  for (let done = ROUND; done < ROUND + OPERATIONS;) {
    for (let i = 0; i < ROUND; i++) await run();
    done += ROUND;
    await settle(done);
  }
  const used = process.cpuUsage(started);
  return ((used.user + used.system) * 1000) / OPERATIONS;
}

const bare = await cpuPerOperation(work);
const off = await cpuPerOperation(tracedCall);
const sink = new OtlpReceiver(false);
const tracing = startTracing(
  {
    OTEL_EXPORTER_OTLP_ENDPOINT: await sink.start(),
    OTEL_TRACES_SAMPLER_ARG: 1,
    OTEL_BSP_SCHEDULE_DELAY: 20,
  },
  'tracing-overhead',
  createLogger({ service: 'tracing-overhead', level: 'silent' }),
);
const on = await cpuPerOperation(tracedCall, async (done) => {
  while (sink.spanCount < done) await new Promise((resolve) => setTimeout(resolve, 5));
});
await tracing.shutdown();
await sink.stop();
console.log(`bare call:                 ${bare.toFixed(0)} ns CPU/op`);
console.log(`tracing off:               ${off.toFixed(0)} ns CPU/op`);
console.log(
  `tracing on, every sampled: ${on.toFixed(0)} ns CPU/op (${sink.spanCount} spans received)`,
);
