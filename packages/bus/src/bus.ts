import { randomUUID } from 'node:crypto';
import {
  connect,
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
} from 'amqplib';
import { AppError, isErrorCode, toAppError, type Logger } from '@chat/core';
import { assertSharedTopology, Names, workQueueArguments, type EventExchange } from './topology.js';
import type { EventEnvelope, RequestMeta, RpcReply, RpcRequest } from './messages.js';

export interface BusOptions {
  url: string;
  /** Name of this process's service, used in logs and connection names. */
  service: string;
  log: Logger;
  /** Unacked deliveries per consumer. */
  prefetch?: number;
  /** Prefix of every exchange and queue name (see `Names`); empty in production. */
  namespace?: string;
}

export type RpcDispatch = (
  method: string,
  input: unknown,
  meta: RequestMeta,
  log: Logger,
) => Promise<unknown>;
export type EventHandler = (event: EventEnvelope, log: Logger) => Promise<void>;

export interface Subscription {
  /** Durable queue of this consumer group, e.g. `user.user_events`. */
  queue: string;
  exchange: EventExchange;
  routingKeys: string[];
  handler: EventHandler;
  /**
   * Events with the same key are handled one after another, in queue order (others run
   * in parallel up to the prefetch), e.g. a conversation id so its events keep their order.
   */
  orderKey?: (event: EventEnvelope) => string | undefined;
}

interface PendingCall {
  resolve: (value: unknown) => void;
  reject: (err: AppError) => void;
  timer: NodeJS.Timeout;
}

type Setup = (model: ChannelModel) => Promise<void>;

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/**
 * RabbitMQ for one process: typed-by-caller RPC over durable queues, confirmed
 * topic events, and consumers that survive broker restarts. amqplib's recovery
 * reconnects with backoff + jitter and calls `setup` again, which re-declares
 * the topology and re-creates every channel and consumer registered so far.
 */
export class Bus {
  private model: ChannelModel | null = null;
  private publisher: ConfirmChannel | null = null;
  private replyQueue: string | null = null;
  private readonly pending = new Map<string, PendingCall>();
  private readonly setups: Setup[] = [];
  /** Connections we are closing on purpose so that recovery rebuilds them. */
  private readonly recycling = new WeakSet<ChannelModel>();
  private closed = false;
  /** Tail of the handler chain per `orderKey` (see Subscription). */
  private readonly orderChains = new Map<string, Promise<void>>();
  readonly names: Names;

  private constructor(
    private readonly opts: BusOptions,
    private readonly connection: Awaited<ReturnType<typeof connectRecovering>>,
  ) {
    this.names = new Names(opts.namespace);
  }

  static async connect(opts: BusOptions): Promise<Bus> {
    let bus: Bus | null = null;
    const connection = await connectRecovering(opts.url, (model) => bus!.onConnect(model));
    bus = new Bus(opts, connection);
    connection.on('disconnect', (err: Error) => bus.onDisconnect(err));
    connection.on('reconnect-scheduled', (info: { attempt: number; delay: number; error: Error }) =>
      opts.log.warn(
        { attempt: info.attempt, delayMs: info.delay, err: info.error.message },
        'rabbitmq reconnect scheduled',
      ),
    );
    connection.on('error', (err: Error) =>
      opts.log.warn({ err: err.message }, 'rabbitmq connection error'),
    );
    connection.on('handler-error', (err: Error) =>
      opts.log.error({ err }, 'rabbitmq handler error'),
    );
    await connection.waitForConnect();
    return bus;
  }

  get connected(): boolean {
    return this.publisher !== null;
  }

  /** Calls `method` on the worker that owns `service`; rejects with SERVICE_UNAVAILABLE or GATEWAY_TIMEOUT. */
  async call(
    service: string,
    method: string,
    input: unknown,
    meta: RequestMeta,
    timeoutMs: number,
  ): Promise<unknown> {
    const publisher = this.publisher;
    const replyTo = this.replyQueue;
    if (!publisher || !replyTo) throw unavailable('message bus is reconnecting');
    const correlationId = randomUUID();
    const request: RpcRequest = { method, input, meta, deadline: Date.now() + timeoutMs };
    const result = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(new AppError('GATEWAY_TIMEOUT', `${service} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(correlationId, { resolve, reject, timer });
    });
    try {
      await confirmPublish(publisher, '', this.names.rpcQueue(service), json(request), {
        correlationId,
        replyTo,
        persistent: true,
        mandatory: true,
        contentType: 'application/json',
        headers: { 'x-request-id': meta.requestId, 'x-method': method },
      });
    } catch {
      this.settle(correlationId, (p) => p.reject(unavailable(`${service} is unreachable`)));
    }
    return result;
  }

  /** Publishes a domain event and resolves once the broker has confirmed it. */
  async publish<T>(
    exchange: EventExchange,
    type: string,
    data: T,
    meta: RequestMeta,
  ): Promise<EventEnvelope<T>> {
    const publisher = this.publisher;
    if (!publisher) throw unavailable('message bus is reconnecting');
    const event: EventEnvelope<T> = {
      id: randomUUID(),
      type,
      occurredAt: new Date().toISOString(),
      requestId: meta.requestId,
      data,
    };
    try {
      await confirmPublish(publisher, this.names.exchange(exchange), type, json(event), {
        messageId: event.id,
        persistent: true,
        contentType: 'application/json',
        headers: { 'x-request-id': meta.requestId },
      });
    } catch (err) {
      throw unavailable(`could not publish ${type}: ${(err as Error).message}`);
    }
    this.opts.log.debug(
      { requestId: meta.requestId, event: type, eventId: event.id },
      'event published',
    );
    return event;
  }

  /** Serves RPCs for `service` from its durable queue, now and after every reconnect. */
  async serve(service: string, dispatch: RpcDispatch): Promise<void> {
    await this.addSetup(async (model) => {
      const ch = await model.createChannel();
      ch.on('error', (err: Error) =>
        this.recycle(model, `rpc channel of ${service}: ${err.message}`),
      );
      await ch.prefetch(this.opts.prefetch ?? 16);
      const queue = this.names.rpcQueue(service);
      await ch.assertQueue(queue, { durable: true, arguments: workQueueArguments(this.names) });
      await ch.consume(queue, (msg) => {
        if (msg) void this.handleRpc(ch, msg, dispatch);
        else this.recycle(model, `broker cancelled the consumer of ${queue}`);
      });
    });
  }

  /** Consumes events with manual acks; failures are retried, then dead-lettered. */
  async subscribe(sub: Subscription): Promise<void> {
    await this.addSetup(async (model) => {
      const ch = await model.createChannel();
      ch.on('error', (err: Error) =>
        this.recycle(model, `event channel of ${sub.queue}: ${err.message}`),
      );
      await ch.prefetch(this.opts.prefetch ?? 16);
      const queue = this.names.queue(sub.queue);
      await ch.assertQueue(queue, { durable: true, arguments: workQueueArguments(this.names) });
      for (const key of sub.routingKeys)
        await ch.bindQueue(queue, this.names.exchange(sub.exchange), key);
      await ch.consume(queue, (msg) => {
        if (msg) void this.handleEvent(ch, msg, sub);
        else this.recycle(model, `broker cancelled the consumer of ${queue}`);
      });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.failPending('message bus closed');
    await this.connection.close().catch(() => undefined);
  }

  private async addSetup(setup: Setup): Promise<void> {
    this.setups.push(setup);
    if (this.model) await setup(this.model);
  }

  private async onConnect(model: ChannelModel): Promise<void> {
    const publisher = await model.createConfirmChannel();
    publisher.on('return', (msg: ConsumeMessage) => {
      const id = msg.properties.correlationId as string | undefined;
      if (id) this.settle(id, (p) => p.reject(unavailable('no worker queue for this request')));
    });
    publisher.on('error', (err: Error) => this.recycle(model, `publisher channel: ${err.message}`));
    await assertSharedTopology(publisher, this.names);

    const replies = await model.createChannel();
    replies.on('error', (err: Error) => this.recycle(model, `reply channel: ${err.message}`));
    const { queue } = await replies.assertQueue('', {
      exclusive: true,
      autoDelete: true,
      durable: false,
    });
    await replies.consume(
      queue,
      (msg) => {
        if (msg) this.onReply(msg);
        else this.recycle(model, 'broker cancelled the reply consumer');
      },
      { noAck: true },
    );

    this.model = model;
    for (const setup of this.setups) await setup(model);
    this.replyQueue = queue;
    this.publisher = publisher;
    this.opts.log.info({ service: this.opts.service }, 'rabbitmq connected');
  }

  /**
   * amqplib recovers connections, not channels. A channel the broker closes (an error on
   * it, e.g. a publish to a deleted exchange) or a consumer it cancels (queue deleted) would
   * otherwise stay dead behind a healthy-looking connection: RPCs unanswered, events
   * unconsumed, `connected` still true. Closing the connection hands it to recovery, which
   * reconnects and re-runs the topology and every setup. In-flight calls fail as
   * SERVICE_UNAVAILABLE (retryable); unacked deliveries are redelivered.
   */
  private recycle(model: ChannelModel, reason: string): void {
    if (this.closed || this.model !== model || this.recycling.has(model)) return;
    this.recycling.add(model);
    this.opts.log.warn({ reason }, 'rabbitmq channel lost, reconnecting');
    this.publisher = null;
    this.replyQueue = null;
    model.close().catch(() => undefined);
  }

  private onDisconnect(err: Error): void {
    this.model = null;
    this.publisher = null;
    this.replyQueue = null;
    // In-flight calls can't get their reply any more (the reply queue is gone): fail them now.
    this.failPending('message bus connection lost');
    if (!this.closed) this.opts.log.warn({ err: err?.message }, 'rabbitmq disconnected');
  }

  private onReply(msg: ConsumeMessage): void {
    const id = msg.properties.correlationId as string | undefined;
    if (!id) return;
    let reply: RpcReply;
    try {
      reply = JSON.parse(msg.content.toString()) as RpcReply;
    } catch {
      this.settle(id, (p) => p.reject(new AppError('INTERNAL_SERVER_ERROR', 'malformed reply')));
      return;
    }
    this.settle(id, (p) => {
      if (reply.ok) p.resolve(reply.data);
      else {
        const code = isErrorCode(reply.error.code) ? reply.error.code : 'INTERNAL_SERVER_ERROR';
        p.reject(new AppError(code, reply.error.message, reply.error.data));
      }
    });
  }

  private settle(id: string, fn: (p: PendingCall) => void): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    fn(pending);
  }

  private failPending(reason: string): void {
    for (const id of [...this.pending.keys()])
      this.settle(id, (p) => p.reject(unavailable(reason)));
  }

  private async handleRpc(ch: Channel, msg: ConsumeMessage, dispatch: RpcDispatch): Promise<void> {
    const { replyTo, correlationId } = msg.properties as {
      replyTo?: string;
      correlationId?: string;
    };
    let request: RpcRequest;
    try {
      request = JSON.parse(msg.content.toString()) as RpcRequest;
    } catch {
      this.opts.log.error({ correlationId }, 'dropping malformed rpc request');
      ch.ack(msg);
      return;
    }
    const requestId = request.meta?.requestId ?? 'unknown';
    const log = this.opts.log.child({ requestId, method: request.method });
    if (Date.now() > request.deadline) {
      // The caller already answered GATEWAY_TIMEOUT; doing the work now would surprise it.
      log.warn('dropping expired rpc request');
      ch.ack(msg);
      return;
    }
    const started = performance.now();
    let reply: RpcReply;
    try {
      reply = { ok: true, data: await dispatch(request.method, request.input, request.meta, log) };
    } catch (err) {
      // A database or Redis outage is SERVICE_UNAVAILABLE (retry safe); other errors are bugs.
      const appError = toAppError(err);
      if (!(err instanceof AppError))
        log[appError.code === 'INTERNAL_SERVER_ERROR' ? 'error' : 'warn'](
          { err },
          'rpc handler failed',
        );
      reply = {
        ok: false,
        error: {
          code: appError.code,
          message: appError.message,
          ...(appError.data ? { data: appError.data } : {}),
        },
      };
    }
    const durationMs = Math.round(performance.now() - started);
    log.info(
      { durationMs, ok: reply.ok, ...(reply.ok ? {} : { code: reply.error.code }) },
      'rpc handled',
    );
    try {
      const publisher = this.publisher;
      if (replyTo && publisher) {
        await confirmPublish(publisher, '', replyTo, json(reply), {
          correlationId,
          contentType: 'application/json',
        });
      }
      ch.ack(msg);
    } catch (err) {
      // Channel gone mid-reply: the request is redelivered after reconnect; handlers are idempotent.
      log.warn({ err: (err as Error).message }, 'could not reply/ack, request will be redelivered');
    }
  }

  private async handleEvent(ch: Channel, msg: ConsumeMessage, sub: Subscription): Promise<void> {
    let event: EventEnvelope;
    try {
      event = JSON.parse(msg.content.toString()) as EventEnvelope;
    } catch {
      this.opts.log.error({ queue: sub.queue }, 'malformed event, dead-lettering');
      safe(() => ch.nack(msg, false, false));
      return;
    }
    const key = sub.orderKey?.(event);
    if (key === undefined) return this.runHandler(ch, msg, sub, event);
    const previous = this.orderChains.get(key) ?? Promise.resolve();
    const current = previous.then(() => this.runHandler(ch, msg, sub, event));
    this.orderChains.set(key, current);
    await current;
    if (this.orderChains.get(key) === current) this.orderChains.delete(key);
  }

  private async runHandler(
    ch: Channel,
    msg: ConsumeMessage,
    sub: Subscription,
    event: EventEnvelope,
  ): Promise<void> {
    const log = this.opts.log.child({
      requestId: event.requestId,
      event: event.type,
      eventId: event.id,
    });
    try {
      await sub.handler(event, log);
      safe(() => ch.ack(msg));
    } catch (err) {
      const deliveries = Number(msg.properties.headers?.['x-delivery-count'] ?? 0) + 1;
      log.error({ err, deliveries }, 'event handler failed, requeueing');
      // A short pause keeps a failing dependency from turning retries into a hot loop.
      setTimeout(
        () => safe(() => ch.nack(msg, false, true)),
        Math.min(2000, 200 * deliveries),
      ).unref();
    }
  }
}

function connectRecovering(url: string, setup: Setup) {
  return connect(url, {
    clientProperties: { connection_name: `chat:${process.pid}` },
    recovery: {
      initialDelay: 200,
      maxDelay: 5000,
      factor: 2,
      jitter: 0.5,
      maxRetries: Infinity,
      initialMaxRetries: 30,
      waitForConnect: false,
      setup,
    },
  });
}

function confirmPublish(
  ch: ConfirmChannel,
  exchange: string,
  routingKey: string,
  content: Buffer,
  options: Parameters<ConfirmChannel['publish']>[3],
): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      ch.publish(exchange, routingKey, content, options, (err) =>
        err ? reject(err as Error) : resolve(),
      );
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

function unavailable(message: string): AppError {
  return new AppError('SERVICE_UNAVAILABLE', message);
}

function safe(fn: () => void): void {
  try {
    fn();
  } catch {
    // The channel closed under us; the broker redelivers unacked messages.
  }
}
