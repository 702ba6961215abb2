import { useSyncExternalStore } from 'react';
import { describeError } from '../auth/errors';
import { createStore } from '../lib/store';
import type { TrpcUtils } from '../trpc';
import {
  activeRegistration,
  base64UrlToBytes,
  currentSubscription,
  pushSupported,
  sameKey,
} from './serviceWorker';

type Client = TrpcUtils['client'];

/** Why the last attempt to turn push on ended with it off. */
export type PushProblem =
  | { reason: 'dismissed' }
  | { reason: 'push-service'; detail: string }
  | { reason: 'server'; detail: string };

/** Desktop notifications on this device (this browser profile), as the control shows them. */
export type PushStatus =
  | { kind: 'checking' }
  | { kind: 'unsupported' }
  | { kind: 'denied' }
  | { kind: 'off'; problem?: PushProblem }
  | { kind: 'enabling' }
  | { kind: 'on' }
  | { kind: 'disabling' };

const status = createStore<PushStatus>({ kind: 'checking' });

export function usePushStatus(): PushStatus {
  return useSyncExternalStore(status.subscribe, status.get);
}

const busy = () => ['enabling', 'disabling'].includes(status.get().kind);

/** `push.subscribe`'s input from a browser subscription. */
function subscribeInput(subscription: PushSubscription) {
  const { endpoint, keys } = subscription.toJSON();
  if (!endpoint || !keys?.p256dh || !keys.auth) throw new Error('The browser gave no push keys.');
  return { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } };
}

/**
 * Reads the state from the browser (never asks for anything). When this device is already
 * subscribed, tells the server again — idempotent, and it heals a subscription the server lost.
 */
export async function checkPushStatus(client: Client): Promise<void> {
  if (busy()) return;
  if (!pushSupported()) return status.set({ kind: 'unsupported' });
  if (Notification.permission === 'denied') return status.set({ kind: 'denied' });
  const subscription = await currentSubscription().catch(() => null);
  if (busy()) return;
  if (subscription && Notification.permission === 'granted') {
    status.set({ kind: 'on' });
    client.push.subscribe.mutate(subscribeInput(subscription)).catch(() => undefined);
  } else {
    status.set((previous) => (previous.kind === 'off' ? previous : { kind: 'off' }));
  }
}

/** How long a push service gets to answer a subscription (they take a second or two). */
const SUBSCRIBE_TIMEOUT_MS = 15_000;

/**
 * `pushManager.subscribe` with a deadline: Chromium whose push service can't be reached
 * retries for minutes without answering. A subscription that comes after we gave up is
 * dropped, unless a new attempt is under way (which gets the same one).
 */
async function subscribeInTime(
  registration: ServiceWorkerRegistration,
  key: Uint8Array<ArrayBuffer>,
): Promise<PushSubscription> {
  const subscribing = registration.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: key,
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`No answer from the push service in ${SUBSCRIBE_TIMEOUT_MS / 1000} s.`));
      subscribing
        .then((subscription) => status.get().kind === 'enabling' || subscription.unsubscribe())
        .catch(() => undefined);
    }, SUBSCRIBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([subscribing, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * "Turn on": the permission prompt (only ever from this click), the service worker, a push
 * subscription with the server's VAPID key, then `push.subscribe`. Each failure says why.
 */
export async function enablePush(client: Client, publicKey: string): Promise<void> {
  if (busy()) return;
  status.set({ kind: 'enabling' });
  // First, before any other await, so the click's user activation still counts.
  const permission = await Notification.requestPermission();
  if (permission === 'denied') return status.set({ kind: 'denied' });
  if (permission !== 'granted')
    return status.set({ kind: 'off', problem: { reason: 'dismissed' } });

  let subscription: PushSubscription;
  try {
    const registration = await activeRegistration();
    const key = base64UrlToBytes(publicKey);
    let existing = await registration.pushManager.getSubscription();
    if (existing && !sameKey(existing, key)) {
      // Made with another server key: the browser refuses a second one until it is gone.
      await existing.unsubscribe();
      existing = null;
    }
    subscription = existing ?? (await subscribeInTime(registration, key));
  } catch (error) {
    // A private window, Chromium without a push service (no Google services), no network, …
    return status.set({
      kind: 'off',
      problem: { reason: 'push-service', detail: describeError(error, 'Subscribing failed.') },
    });
  }

  try {
    await client.push.subscribe.mutate(subscribeInput(subscription));
    status.set({ kind: 'on' });
  } catch (error) {
    await subscription.unsubscribe().catch(() => false);
    status.set({
      kind: 'off',
      problem: { reason: 'server', detail: describeError(error, 'The server refused it.') },
    });
  }
}

/**
 * Stops pushes to this device: the server forgets the endpoint, the browser drops the
 * subscription. If the server can't be told, dropping it still works: the push service
 * then answers 404/410 and the server removes it itself.
 */
async function unsubscribeDevice(client: Client): Promise<void> {
  const subscription = await currentSubscription().catch(() => null);
  if (!subscription) return;
  await client.push.unsubscribe.mutate({ endpoint: subscription.endpoint }).catch(() => undefined);
  await subscription.unsubscribe().catch(() => false);
}

/** "Turn off". */
export async function disablePush(client: Client): Promise<void> {
  if (busy()) return;
  status.set({ kind: 'disabling' });
  await unsubscribeDevice(client);
  status.set({ kind: 'off' });
}

/** Before signing out (still signed in): unsubscribe this device, waiting at most `ms`. */
export async function unsubscribeBeforeSignOut(client: Client, ms = 3_000): Promise<void> {
  if (!pushSupported()) return;
  await Promise.race([
    unsubscribeDevice(client),
    new Promise((resolve) => setTimeout(resolve, ms)),
  ]);
}

/**
 * Signed out (here, in another tab, or the session expired): the next user of this browser
 * must not get this one's messages, so drop the subscription locally too.
 */
export function forgetPushAfterSignOut(): void {
  status.set({ kind: 'checking' });
  void currentSubscription()
    .then((subscription) => subscription?.unsubscribe())
    .catch(() => undefined);
}
