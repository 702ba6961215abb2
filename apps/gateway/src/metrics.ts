import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one gateway process, served at /metrics. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
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
    errors: new Counter({
      name: 'trpc_errors_total',
      help: 'tRPC errors by code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
