import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DEFAULT_METRICS_OPTIONS } from '@chat/core';
import type { BusObserver } from '@chat/bus';

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Prometheus metrics every worker serves at /metrics on its HEALTH_PORT: the process
 * (CPU, memory, event loop), the RPCs and events its bus hands it, and its queues' depth.
 */
export function createWorkerMetrics(service: string) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, ...DEFAULT_METRICS_OPTIONS });
  const rpcDuration = new Histogram({
    name: 'rpc_handler_duration_seconds',
    help: 'RPCs answered by this worker, by method and outcome (OK, an error code, EXPIRED)',
    labelNames: ['service', 'method', 'outcome'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const eventDuration = new Histogram({
    name: 'event_handler_duration_seconds',
    help: 'Events handled, by queue, type and outcome (ok, retry, dead_letter)',
    labelNames: ['queue', 'type', 'outcome'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const redeliveries = new Counter({
    name: 'event_redeliveries_total',
    help: 'Event deliveries that were redeliveries (an earlier try failed or its consumer died)',
    labelNames: ['queue'] as const,
    registers: [registry],
  });
  const deadLettered = new Counter({
    name: 'events_dead_lettered_total',
    help: 'Events parked in dead_letters: malformed, or failed on their last allowed delivery',
    labelNames: ['queue'] as const,
    registers: [registry],
  });
  const queueReady = new Gauge({
    name: 'queue_messages_ready',
    help: 'Messages waiting in a queue this worker consumes (sampled): its consumer lag',
    labelNames: ['queue'] as const,
    registers: [registry],
  });
  const dependencyUp = new Gauge({
    name: 'dependency_up',
    help: 'Whether a server this process needs is connected (1) or not (0), as /ready sees it',
    labelNames: ['dependency'] as const,
    registers: [registry],
  });

  const observer: BusObserver = {
    onRpcHandled(method, outcome, ms) {
      rpcDuration.observe({ service, method, outcome }, ms / 1000);
    },
    onEventHandled(queue, type, outcome, ms, deliveries) {
      eventDuration.observe({ queue, type, outcome }, ms / 1000);
      if (deliveries > 1) redeliveries.inc({ queue });
      if (outcome === 'dead_letter') deadLettered.inc({ queue });
    },
  };

  return { registry, observer, queueReady, dependencyUp };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;

/** The chat worker's writes (see chat/write-metrics.ts). */
export function createChatMetrics(registry: Registry) {
  return {
    messagesStored: new Counter({
      name: 'chat_messages_stored_total',
      help: 'Messages written to the store (a send answered from memory as a repeat writes none)',
      registers: [registry],
    }),
    writeBatchSize: new Histogram({
      name: 'chat_write_batch_size',
      help: 'Documents per group-committed write, by collection (messages, conversations, members)',
      labelNames: ['collection'] as const,
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers: [registry],
    }),
    writeSeconds: new Histogram({
      name: 'chat_write_duration_seconds',
      help: 'Round trip of each group-committed write, by collection: a send waits for a messages round, then a conversations round (under load also for the round already in flight)',
      labelNames: ['collection'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
}

export type ChatMetrics = ReturnType<typeof createChatMetrics>;

/** What the chat worker's owner keeps in memory, read at each scrape. */
export function observeOwnerCache(
  registry: Registry,
  cache: { readonly size: number; readonly cachedItems: number },
) {
  return {
    conversations: new Gauge({
      name: 'chat_owner_conversations_cached',
      help: 'Conversations the owner keeps in memory',
      registers: [registry],
      collect() {
        this.set(cache.size);
      },
    }),
    items: new Gauge({
      name: 'chat_owner_cached_items',
      help: 'Members plus remembered messages across them (bounded by OWNER_CACHE_MAX_ITEMS)',
      registers: [registry],
      collect() {
        this.set(cache.cachedItems);
      },
    }),
  };
}

/** Appends to users' event logs: by the chat worker (as changes happen) and the notification worker. */
export function createEventLogMetrics(registry: Registry) {
  return new Counter({
    name: 'event_log_appends_total',
    help: 'Per-user event log appends: appended, or duplicate (seen before, nothing appended)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
}

/** The notification worker's appends to the per-user event logs, and its Web Pushes. */
export function createNotificationMetrics(registry: Registry) {
  return {
    appends: createEventLogMetrics(registry),
    pushes: new Counter({
      name: 'push_deliveries_total',
      help: 'Web Push deliveries: sent, gone (404/410, subscription removed), refused (SSRF guard), failed, dropped (queue full, or still queued at shutdown)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
  };
}
