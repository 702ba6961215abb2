import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Counter } from 'prom-client';
import type { Logger } from '@chat/core';
import { offlineAmong } from '../../notices/message-notice.js';
import { deliver, type DeliveryOptions, type DeliveryOutcome } from './deliver.js';
import { TaskQueue } from './queue.js';
import type { PushSubscriptions, StoredSubscription } from './subscriptions.js';

/** What a push carries (the service worker shows it): small, no more than a preview. */
export interface PushPayload {
  title: string;
  body: string;
  conversationId: string;
  messageId: string;
  /** Where a click opens the app (a path on the web app's origin). */
  url: string;
}

const PUSH_BODY_MAX_CHARS = 120;

export interface PusherDeps {
  log: Logger;
  redis: Redis;
  subscriptions: PushSubscriptions;
  delivery: DeliveryOptions;
  concurrency: number;
  maxQueued: number;
  /** push_deliveries_total by outcome (sent, gone, refused, failed, dropped). */
  deliveries: Counter<'outcome'>;
}

/**
 * Pushes a new-message notification to the subscriptions of recipients with no open socket.
 * `notify` only queues: the fanout that calls it never waits for a push service, and a full
 * queue drops (counted) rather than grows.
 */
export class Pusher {
  private readonly queue: TaskQueue;

  constructor(private readonly deps: PusherDeps) {
    this.queue = new TaskQueue(deps.concurrency, deps.maxQueued, (err) =>
      deps.log.warn({ err: (err as Error).message }, 'push: a task failed'),
    );
  }

  /** Queues pushes of `payload` to those of `recipients` who are offline. */
  notify(recipients: string[], payload: PushPayload): void {
    if (recipients.length === 0) return;
    const body =
      payload.body.length > PUSH_BODY_MAX_CHARS
        ? `${payload.body.slice(0, PUSH_BODY_MAX_CHARS - 1)}…`
        : payload.body;
    const json = JSON.stringify({ ...payload, body });
    if (!this.queue.add(() => this.fanOut(recipients, json, payload.conversationId)))
      this.deps.deliveries.inc({ outcome: 'dropped' }, recipients.length);
  }

  /** Shutdown: pushes still queued are dropped (counted), those in flight finish. */
  async stop(): Promise<void> {
    const dropped = await this.queue.close();
    if (dropped > 0) {
      this.deps.deliveries.inc({ outcome: 'dropped' }, dropped);
      this.deps.log.warn({ dropped }, 'push: queued pushes dropped at shutdown');
    }
  }

  private async fanOut(recipients: string[], json: string, conversationId: string): Promise<void> {
    const offline = await offlineAmong(this.deps.redis, recipients);
    const subs = await this.deps.subscriptions.of([...offline]);
    // One pending push per conversation at the push service: a newer one replaces it.
    const topic = createHash('sha256').update(conversationId).digest('base64url').slice(0, 32);
    for (const sub of subs) {
      if (!this.queue.add(() => this.send(sub, json, topic)))
        this.deps.deliveries.inc({ outcome: 'dropped' });
    }
  }

  private async send(sub: StoredSubscription, json: string, topic: string): Promise<void> {
    const { outcome, detail } = await deliver(sub, json, { topic }, this.deps.delivery);
    this.deps.deliveries.inc({ outcome });
    if (outcome === 'gone') await this.deps.subscriptions.remove(sub);
    if (outcome !== 'sent') this.logOutcome(outcome, sub, detail);
  }

  private logOutcome(outcome: DeliveryOutcome, sub: StoredSubscription, detail?: string): void {
    // The origin only: the endpoint's path is the subscription's secret capability.
    const origin = new URL(sub.endpoint).origin;
    const line = { userId: sub.userId, origin, detail };
    if (outcome === 'gone') this.deps.log.info(line, 'push: subscription gone, removed');
    else this.deps.log.warn(line, `push: ${outcome}`);
  }
}
