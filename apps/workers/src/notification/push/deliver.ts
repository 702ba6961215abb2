import { Agent } from 'node:https';
import type { LookupFunction } from 'node:net';
import webpush from 'web-push';
import { checkPushEndpoint, type EndpointPolicy, type ResolvedAddress } from './ssrf.js';
import type { StoredSubscription } from './subscriptions.js';

export interface DeliveryOptions {
  vapid: { subject: string; publicKey: string; privateKey: string };
  policy: EndpointPolicy;
  ttlS: number;
  timeoutMs: number;
}

/** What became of one push: delivered, the subscription is gone (404/410), or it failed. */
export type DeliveryOutcome = 'sent' | 'gone' | 'refused' | 'failed';
export interface DeliveryResult {
  outcome: DeliveryOutcome;
  /** The push service's status, or the error, for the log. */
  detail?: string;
}

/**
 * Sends one encrypted push (RFC 8291 aes128gcm, VAPID RFC 8292) with web-push. The endpoint is
 * checked again here — DNS may have changed since subscribe — and the connection goes to the
 * address just checked (a pinned lookup), so no second resolution can swap it.
 */
export async function deliver(
  sub: StoredSubscription,
  payload: string,
  extra: { topic?: string; urgency?: webpush.Urgency },
  options: DeliveryOptions,
): Promise<DeliveryResult> {
  let address: ResolvedAddress;
  try {
    address = (await checkPushEndpoint(sub.endpoint, options.policy)).addresses[0]!;
  } catch (err) {
    return { outcome: 'refused', detail: (err as Error).message };
  }
  const agent = new Agent({ lookup: pinnedLookup(address), keepAlive: false });
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        agent.destroy();
        reject(new Error(`no answer within ${options.timeoutMs} ms`));
      }, options.timeoutMs);
    });
    await Promise.race([
      webpush.sendNotification({ endpoint: sub.endpoint, keys: sub.keys }, payload, {
        vapidDetails: options.vapid,
        TTL: options.ttlS,
        contentEncoding: 'aes128gcm',
        urgency: extra.urgency ?? 'normal',
        ...(extra.topic ? { topic: extra.topic } : {}),
        timeout: options.timeoutMs,
        agent,
      }),
      timeout,
    ]);
    return { outcome: 'sent' };
  } catch (err) {
    if (err instanceof webpush.WebPushError) {
      // 404/410: the browser unsubscribed or the subscription expired (RFC 8030 §7.3).
      const gone = err.statusCode === 404 || err.statusCode === 410;
      return { outcome: gone ? 'gone' : 'failed', detail: `status ${err.statusCode}` };
    }
    return { outcome: 'failed', detail: (err as Error).message };
  } finally {
    clearTimeout(timer);
    agent.destroy();
  }
}

/** A lookup that answers with the address already checked, whatever DNS says now. */
function pinnedLookup({ address, family }: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}
