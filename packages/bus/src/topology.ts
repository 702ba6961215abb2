import type { Channel } from 'amqplib';

/** Topic exchanges of domain events (API.md / ARCHITECTURE.md). */
export const EXCHANGES = ['user_events', 'chat_events'] as const;
export type EventExchange = (typeof EXCHANGES)[number];

/** Where poison messages are parked for inspection once their delivery limit is hit. */
export const DEAD_LETTER_EXCHANGE = 'dlx';
export const DEAD_LETTER_QUEUE = 'dead_letters';

/** Redeliveries before a message is dead-lettered (quorum queues count them for us). */
export const DELIVERY_LIMIT = 5;

export const rpcQueueName = (service: string) => `rpc.${service}`;

/** Arguments of every durable work queue: quorum, so x-delivery-limit is enforced. */
export const workQueueArguments = {
  'x-queue-type': 'quorum',
  'x-delivery-limit': DELIVERY_LIMIT,
  'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE,
};

/** Declares what every process relies on; idempotent, so it runs on each (re)connect. */
export async function assertSharedTopology(ch: Channel): Promise<void> {
  for (const name of EXCHANGES) await ch.assertExchange(name, 'topic', { durable: true });
  await ch.assertExchange(DEAD_LETTER_EXCHANGE, 'topic', { durable: true });
  await ch.assertQueue(DEAD_LETTER_QUEUE, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await ch.bindQueue(DEAD_LETTER_QUEUE, DEAD_LETTER_EXCHANGE, '#');
}
