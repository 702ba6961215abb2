import { diag, DiagLogLevel, propagation, trace, type Tracer } from '@opentelemetry/api';
import type { Logger } from '@chat/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { TracingEnv } from './env.js';
import { traceRedisCommands } from './redis.js';

export interface Tracing {
  readonly enabled: boolean;
  /** Exports the spans still buffered, then stops (call on shutdown). */
  shutdown(): Promise<void>;
}

let active: Tracer | null = null;

const SHUTDOWN_WAIT_MS = 2_000;

/** The tracer while tracing is on; null otherwise, so callers skip all span work. */
export const tracer = (): Tracer | null => active;

/**
 * Starts the SDK when OTEL_EXPORTER_OTLP_ENDPOINT is set: spans batched and exported over
 * OTLP/HTTP (JSON), W3C trace context, context kept across awaits (AsyncLocalStorage).
 * Unset, nothing starts: the API stays a no-op and the helpers here return at once.
 */
export function startTracing(env: TracingEnv, defaultServiceName: string, log: Logger): Tracing {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return { enabled: false, shutdown: () => Promise.resolve() };
  // The SDK's own troubles (e.g. a collector that can't be reached) show in our log.
  const warn = (message: string) => log.warn({ component: 'opentelemetry' }, message);
  diag.setLogger(
    { error: warn, warn, info: () => undefined, debug: () => undefined, verbose: () => undefined },
    DiagLogLevel.WARN,
  );
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? defaultServiceName,
    }),
    sampler: new ParentBasedSampler({
      root: new TraceIdRatioBasedSampler(env.OTEL_TRACES_SAMPLER_ARG),
    }),
    spanProcessors: [
      new BatchSpanProcessor(
        new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` }),
        { scheduledDelayMillis: env.OTEL_BSP_SCHEDULE_DELAY },
      ),
    ],
  });
  provider.register();
  active = trace.getTracer('@chat/tracing');
  const stopRedis = traceRedisCommands(active);
  log.info({ endpoint, sampled: env.OTEL_TRACES_SAMPLER_ARG }, 'tracing on');
  return {
    enabled: true,
    async shutdown() {
      active = null;
      stopRedis();
      // Exports what is buffered, but never holds a stopping process long (collector down).
      await Promise.race([
        provider.shutdown().catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, SHUTDOWN_WAIT_MS).unref()),
      ]);
      trace.disable();
      propagation.disable();
      diag.disable();
    },
  };
}
