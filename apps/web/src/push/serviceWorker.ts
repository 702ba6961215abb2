import { openConversation } from '../lib/route';

/** The script in public/sw.js, served from the origin's root so its scope is the whole app. */
const SCRIPT_URL = '/sw.js';
const CONVERSATION_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether this browser can receive Web Push at all (it also needs a secure context). */
export function pushSupported(): boolean {
  return (
    window.isSecureContext &&
    'serviceWorker' in navigator &&
    'PushManager' in window &&
    'Notification' in window
  );
}

/** Registers the service worker (idempotent, no permission asked) and resolves once it is active. */
export async function activeRegistration(): Promise<ServiceWorkerRegistration> {
  await navigator.serviceWorker.register(SCRIPT_URL, { scope: '/' });
  return navigator.serviceWorker.ready;
}

/** This device's push subscription, without registering anything. */
export async function currentSubscription(): Promise<PushSubscription | null> {
  if (!pushSupported()) return null;
  const registration = await navigator.serviceWorker.getRegistration('/');
  return (await registration?.pushManager.getSubscription()) ?? null;
}

/**
 * A click on a notification while the app is open: the service worker focuses this window and
 * posts `{ type: 'chat.openConversation', conversationId }`; open it. Returns the cleanup.
 */
export function listenForNotificationClicks(): () => void {
  if (!('serviceWorker' in navigator)) return () => undefined;
  const onMessage = (event: MessageEvent<unknown>) => {
    const data = event.data as { type?: unknown; conversationId?: unknown } | null;
    if (data?.type !== 'chat.openConversation') return;
    if (typeof data.conversationId === 'string' && CONVERSATION_ID.test(data.conversationId)) {
      openConversation(data.conversationId);
    }
  };
  navigator.serviceWorker.addEventListener('message', onMessage);
  return () => navigator.serviceWorker.removeEventListener('message', onMessage);
}

/** base64url (the server's VAPID key) → bytes for `applicationServerKey`. */
export function base64UrlToBytes(value: string): Uint8Array<ArrayBuffer> {
  const base64 = value.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Whether a subscription was made with `key` (a changed server key needs a new one). */
export function sameKey(subscription: PushSubscription, key: Uint8Array): boolean {
  const current = subscription.options.applicationServerKey;
  if (!current) return false;
  const bytes = new Uint8Array(current);
  return bytes.length === key.length && bytes.every((b, i) => b === key[i]);
}
