import type { Channel } from 'amqplib';

/** Topic exchanges of domain events (API.md / ARCHITECTURE.md). */
export const EXCHANGES = ['user_events', 'chat_events'] as const;
export type EventExchange = (typeof EXCHANGES)[number];

/** Where poison messages are parked for inspection once their delivery limit is hit. */
export const DEAD_LETTER_EXCHANGE = 'dlx';
export const DEAD_LETTER_QUEUE = 'dead_letters';

/**
 * Names of exchanges and queues, optionally prefixed by a namespace so several
 * systems (parallel test runs, a staging copy) can share one broker without
 * consuming each other's messages. Production uses no namespace.
 */
export class Names {
  constructor(readonly namespace = '') {}
  exchange = (name: EventExchange | typeof DEAD_LETTER_EXCHANGE) => `${this.namespace}${name}`;
  queue = (name: string) => `${this.namespace}${name}`;
  rpcQueue = (service: string) => `${this.namespace}rpc.${service}`;
}

/** Redeliveries before a message is dead-lettered (quorum queues count them for us). */
export const DELIVERY_LIMIT = 5;

/** Arguments of every durable work queue: quorum, so x-delivery-limit is enforced. */
export const workQueueArguments = (names: Names) => ({
  'x-queue-type': 'quorum',
  'x-delivery-limit': DELIVERY_LIMIT,
  'x-dead-letter-exchange': names.exchange(DEAD_LETTER_EXCHANGE),
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
