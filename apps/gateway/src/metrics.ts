import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DEFAULT_METRICS_OPTIONS } from '@chat/core';

/** Prometheus metrics of one gateway process, served at /metrics. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, ...DEFAULT_METRICS_OPTIONS });
  return {
    registry,
    procedureDuration: new Histogram({
      name: 'trpc_procedure_duration_seconds',
      help: 'tRPC procedure duration by procedure, type and result code',
      labelNames: ['procedure', 'type', 'code'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    rpcDuration: new Histogram({
      name: 'rpc_duration_seconds',
      help: 'RabbitMQ RPC round trip by method and outcome',
      labelNames: ['method', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    openSockets: new Gauge({
      name: 'websocket_open_connections',
      help: 'Open WebSocket connections',
      registers: [registry],
    }),
    eventStreams: new Gauge({
      name: 'event_streams_open',
      help: 'events.stream subscriptions open on this gateway',
      registers: [registry],
    }),
    uploadsInFlight: new Gauge({
      name: 'uploads_in_flight',
      help: 'Uploads (POST /files) this gateway is receiving right now',
      registers: [registry],
    }),
    errors: new Counter({
      name: 'trpc_errors_total',
      help: 'tRPC errors by code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    httpResponses: new Counter({
      name: 'http_responses_total',
      help: 'HTTP responses (not WebSocket messages) by status class: 2xx, 4xx, 5xx, ...',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    deliveryLag: new Histogram({
      name: 'event_delivery_lag_seconds',
      help: 'From a change being stored to this gateway pushing its event to the user, by type',
      labelNames: ['type'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    dependencyUp: new Gauge({
      name: 'dependency_up',
      help: 'Whether a server this process needs is connected (1) or not (0), as /ready sees it',
      labelNames: ['dependency'] as const,
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
