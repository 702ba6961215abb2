import type { z } from 'zod';
import type { Logger } from '@chat/core';
import { busEvents, type BusEventData, type BusEventType, type BusExchange } from '@chat/contract';
import type { Bus, PartitionControl } from './bus.js';
import type { EventEnvelope, RequestMeta } from './messages.js';

/** One event of exchange `X` whose type is one of `T`: `data` typed (and checked) by its schema. */
export type DomainEvent<X extends BusExchange, T extends BusEventType<X> = BusEventType<X>> = {
  [K in T]: Omit<EventEnvelope, 'type' | 'data'> & { type: K; data: BusEventData<X, K> };
}[T];

export interface DomainSubscription<X extends BusExchange, T extends BusEventType<X>> {
  /** Durable queue of this consumer group, e.g. `user.user_events`. */
  queue: string;
  exchange: X;
  types: readonly T[];
  handler: (event: DomainEvent<X, T>, log: Logger) => Promise<void>;
  /** See `Subscription.orderKey`; it sees the checked event. */
  orderKey?: (event: DomainEvent<X, T>) => string | undefined;
  /** See `Subscription.partitions`. */
  partitions?: number;
}

/**
 * The domain events of the contract's `busEvents` table over the bus: `publish` accepts only
 * a type of the exchange with its payload, and `subscribe` hands the handler an event whose
 * data its schema has checked (a payload that breaks it fails the handler: retried, then
 * dead-lettered), so no call site casts. The raw `Bus` stays for the transport itself.
 */
export class DomainEvents {
  constructor(private readonly bus: Pick<Bus, 'publish' | 'subscribe'>) {}

  publish<X extends BusExchange, T extends BusEventType<X>>(
    exchange: X,
    type: T,
    data: BusEventData<X, T>,
    meta: RequestMeta,
    partition?: number,
    id?: string,
  ): Promise<EventEnvelope<BusEventData<X, T>>> {
    return this.bus.publish(exchange, type, data, meta, partition, id);
  }

  subscribe<X extends BusExchange, T extends BusEventType<X>>(
    sub: DomainSubscription<X, T>,
  ): Promise<PartitionControl | null> {
    const schemas: Partial<Record<string, z.ZodType>> = busEvents[sub.exchange];
    // orderKey and the handler see the same envelope object: check its data once.
    const checked = new WeakMap<EventEnvelope, DomainEvent<X, T>>();
    const check = (event: EventEnvelope): DomainEvent<X, T> => {
      let domain = checked.get(event);
      if (!domain) {
        const schema = sub.types.includes(event.type as T) ? schemas[event.type] : undefined;
        if (!schema) throw new Error(`unexpected event type ${event.type} on ${sub.queue}`);
        domain = { ...event, data: schema.parse(event.data) } as DomainEvent<X, T>;
        checked.set(event, domain);
      }
      return domain;
    };
    const orderKey = sub.orderKey;
    return this.bus.subscribe({
      queue: sub.queue,
      exchange: sub.exchange,
      routingKeys: [...sub.types],
      partitions: sub.partitions,
      handler: (event, log) => sub.handler(check(event), log),
      // A payload that breaks its schema has no key; its handler then fails on the same check.
      orderKey: orderKey
        ? (event) => {
            try {
              return orderKey(check(event));
            } catch {
              return undefined;
            }
          }
        : undefined,
    });
  }
}
