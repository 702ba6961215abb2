// @ts-check
// The service worker: shows Web Push notifications and brings the app to the conversation
// when one is clicked. Plain JavaScript served as-is from the origin's root (scope `/`);
// type-checked by tsconfig.sw.json. The server sends `{ title, body, conversationId,
// messageId, url }` (API.md, Web Push); anything else still shows something sensible.

const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

/** Conversation ids as the app's route accepts them (src/lib/route.ts). */
const CONVERSATION_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The message a focused window gets: the app opens the conversation (src/push/serviceWorker.ts). */
const OPEN_CONVERSATION = 'chat.openConversation';

/**
 * @typedef {{ title: string, body: string, conversationId: string | null,
 *   messageId: string | null, url: string }} Payload
 */

/** @param {unknown} value */
const text = (value) => (typeof value === 'string' && value.trim() ? value : null);

/**
 * Where a click leads: the payload's URL when it is on this origin, else the conversation.
 * @param {unknown} url @param {string | null} conversationId
 */
function appUrl(url, conversationId) {
  if (typeof url === 'string') {
    try {
      const target = new URL(url, sw.location.origin);
      if (target.origin === sw.location.origin) return target.href;
    } catch {
      // not a URL: fall through
    }
  }
  return new URL(conversationId ? `/#/c/${conversationId}` : '/', sw.location.origin).href;
}

/** @param {PushMessageData | null} data @returns {Payload} */
function readPayload(data) {
  /** @type {Record<string, unknown>} */
  let fields = {};
  let raw = '';
  if (data) {
    raw = data.text();
    try {
      const parsed = /** @type {unknown} */ (JSON.parse(raw));
      if (parsed && typeof parsed === 'object')
        fields = /** @type {Record<string, unknown>} */ (parsed);
    } catch {
      // Not JSON: the text itself is the body.
    }
  }
  const id = text(fields.conversationId);
  const conversationId = id && CONVERSATION_ID.test(id) ? id : null;
  return {
    title: text(fields.title) ?? 'New message',
    body: text(fields.body) ?? (Object.keys(fields).length ? '' : raw.slice(0, 500)),
    conversationId,
    messageId: text(fields.messageId),
    url: appUrl(fields.url, conversationId),
  };
}

// A new version takes over at once: it only shows notifications, there is no cache to migrate.
sw.addEventListener('install', () => void sw.skipWaiting());
sw.addEventListener('activate', (event) => event.waitUntil(sw.clients.claim()));

sw.addEventListener('push', (event) => {
  const payload = readPayload(event.data);
  /** @type {NotificationOptions & { renotify?: boolean }} */
  const options = { body: payload.body, data: payload };
  if (payload.conversationId) {
    // One notification per conversation, replaced by the newest, which still alerts.
    options.tag = payload.conversationId;
    options.renotify = true;
  }
  event.waitUntil(sw.registration.showNotification(payload.title, options));
});

sw.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const data = /** @type {Partial<Payload> | null} */ (event.notification.data);
  const conversationId = data?.conversationId ?? null;
  const url = appUrl(data?.url, conversationId);
  event.waitUntil(
    (async () => {
      const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
      // Chromium lists the most recently focused first.
      const existing = windows.find((client) => client.focused) ?? windows[0];
      if (existing) {
        const focused = await existing.focus().catch(() => existing);
        if (conversationId) focused.postMessage({ type: OPEN_CONVERSATION, conversationId });
        return;
      }
      await sw.clients.openWindow(url);
    })(),
  );
});
