import type { Channel } from 'amqplib';

/** Topic exchanges of domain events (docs/api.md / docs/architecture.md). */
export const EXCHANGES = ['user_events', 'chat_events'] as const;
export type EventExchange = (typeof EXCHANGES)[number];

/**
 * Exchanges whose events belong to a conversation: published with routing key
 * `<partition>.<type>` (e.g. `p07.message.sent`) so that a partitioned consumer gets each
 * conversation's events from one queue, in order.
 */
export const PARTITIONED_EXCHANGES: readonly EventExchange[] = ['chat_events'];

/** Where poison messages are parked for inspection once their delivery limit is hit. */
export const DEAD_LETTER_EXCHANGE = 'dlx';
export const DEAD_LETTER_QUEUE = 'dead_letters';

/** `p07`: a partition as it appears in queue names and routing keys. */
export const partitionLabel = (partition: number): string =>
  `p${String(partition).padStart(2, '0')}`;

/**
 * Names of exchanges and queues, optionally prefixed by a namespace so several
 * systems (parallel test runs, a staging copy) can share one broker without
 * consuming each other's messages. Production uses no namespace.
 */
export class Names {
  constructor(readonly namespace = '') {}
  exchange = (name: EventExchange | typeof DEAD_LETTER_EXCHANGE) => `${this.namespace}${name}`;
  queue = (name: string) => `${this.namespace}${name}`;
  /** RPCs any worker of the service may answer. */
  rpcQueue = (service: string) => `${this.namespace}rpc.${service}.shared`;
  /** RPCs for one partition: one active consumer at a time (its owner). */
  rpcPartition = (service: string, partition: number) =>
    `${this.namespace}rpc.${service}.${partitionLabel(partition)}`;
  /** One partition of a partitioned event consumer group, e.g. `notification.chat_events.p07`. */
  partitionQueue = (name: string, partition: number) =>
    `${this.namespace}${name}.${partitionLabel(partition)}`;
}

/** Redeliveries before a message is dead-lettered (quorum queues count them for us). */
export const DELIVERY_LIMIT = 5;

/**
 * Event queues: quorum (replicated, fsynced), so a state change that was confirmed survives a
 * broker crash, and x-delivery-limit parks a poison event after a few tries.
 */
export const eventQueueArguments = (names: Names, singleActiveConsumer = false) => ({
  'x-queue-type': 'quorum',
  'x-delivery-limit': DELIVERY_LIMIT,
  'x-dead-letter-exchange': names.exchange(DEAD_LETTER_EXCHANGE),
  ...(singleActiveConsumer ? { 'x-single-active-consumer': true } : {}),
});

/**
 * RPC queues: classic and in memory (requests are published transient). A request lives
 * at most its caller's timeout (per-message TTL); if the broker dies with it, the caller
 * already got SERVICE_UNAVAILABLE and retries — a replicated disk write would buy nothing.
 */
export const rpcQueueArguments = (singleActiveConsumer = false) => ({
  'x-queue-type': 'classic',
  ...(singleActiveConsumer ? { 'x-single-active-consumer': true } : {}),
});

/** Declares what every process relies on; idempotent, so it runs on each (re)connect. */
export async function assertSharedTopology(ch: Channel, names: Names): Promise<void> {
  for (const name of EXCHANGES)
    await ch.assertExchange(names.exchange(name), 'topic', { durable: true });
  await ch.assertExchange(names.exchange(DEAD_LETTER_EXCHANGE), 'topic', { durable: true });
  const deadLetters = names.queue(DEAD_LETTER_QUEUE);
  await ch.assertQueue(deadLetters, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await ch.bindQueue(deadLetters, names.exchange(DEAD_LETTER_EXCHANGE), '#');
}
