import type { ChannelModel } from 'amqplib';

/**
 * What a Bus tells its process about the work it hands out (metrics live in the apps, so
 * the bus stays free of any metrics library). Durations in milliseconds.
 */
export interface BusObserver {
  /** An RPC was answered: outcome `OK`, an error code, or `EXPIRED` (dropped unanswered). */
  onRpcHandled(method: string, outcome: string, ms: number): void;
  /**
   * An event was handled: `ok`, `retry` (requeued) or `dead_letter` (its last allowed
   * delivery failed, or it was malformed). `deliveries` counts this one (1 = first).
   */
  onEventHandled(
    queue: string,
    type: string,
    outcome: 'ok' | 'retry' | 'dead_letter',
    ms: number,
    deliveries: number,
  ): void;
}

/**
 * Messages ready in each queue (passive declares on a channel of their own: a queue that
 * is gone closes the channel, so the ones after it are left out of this sample).
 */
export async function queueDepths(
  model: ChannelModel,
  queues: readonly string[],
): Promise<Map<string, number>> {
  const depths = new Map<string, number>();
  const ch = await model.createChannel();
  ch.on('error', () => undefined);
  try {
    for (const queue of queues) depths.set(queue, (await ch.checkQueue(queue)).messageCount);
  } catch {
    // Partial sample; the next one tries again.
  } finally {
    await ch.close().catch(() => undefined);
  }
  return depths;
}
