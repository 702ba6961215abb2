import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { registerUser, type TestUser } from './api';
import { seriousViolations } from './axe';
import { expect, test } from './fixtures';
import { startPushEndpoint } from '../../../tests/support/push-endpoint';
import {
  conversationList,
  messagesWith,
  openChat,
  sendMessage,
  signInThroughUi,
  startDirectChat,
} from './helpers';

// Web Push in the browser (issue 11): the control, the permission prompt only after a click,
// the service worker's notifications, and the whole path to a real (local) push endpoint
// while the recipient's page is closed.

declare global {
  interface Window {
    /** Counted by the init script below: calls of Notification.requestPermission. */
    __permissionRequests: number;
  }
}

const bell = (page: Page) => page.getByRole('button', { name: /^Notifications/ });
const pushControl = (page: Page): Locator =>
  page
    .getByRole('dialog', { name: 'Notifications' })
    .getByRole('region', { name: 'Desktop notifications' });
const turnOn = (page: Page) =>
  pushControl(page).getByRole('button', { name: 'Turn on desktop notifications' });

/** Signs `user` in on a new page that counts permission prompts from its very first script. */
async function signInCounting(newPage: () => Promise<Page>, user: TestUser): Promise<Page> {
  const page = await newPage();
  await page.addInitScript(() => {
    window.__permissionRequests = 0;
    const request = Notification.requestPermission.bind(Notification);
    Notification.requestPermission = (...args) => {
      window.__permissionRequests += 1;
      return request(...args);
    };
  });
  await signInThroughUi(page, user.username, user.password);
  await expect(conversationList(page)).toBeVisible();
  return page;
}

/** The active service worker's script URL, once the app has registered it. */
const serviceWorkerScript = (page: Page) =>
  page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL);

test('P1. push: nothing is asked on load; the control is in the notifications dialog', async ({
  newPage,
}) => {
  const user = await registerUser('pia');
  const page = await signInCounting(newPage, user);

  // The service worker registers on its own (that asks nothing of the user)…
  await expect.poll(() => serviceWorkerScript(page)).toMatch(/\/sw\.js$/);
  await page.reload();
  await expect(conversationList(page)).toBeVisible();
  await expect.poll(() => serviceWorkerScript(page)).toMatch(/\/sw\.js$/);
  // …and no permission prompt came, on either load.
  expect(await page.evaluate(() => window.__permissionRequests)).toBe(0);
  expect(await page.evaluate(() => Notification.permission)).toBe('default');

  await bell(page).click();
  await expect(pushControl(page)).toBeVisible();
  await expect(pushControl(page).getByTestId('push-status')).not.toHaveText(/Checking/);
  // The server's key is fetched when the control shows: "Turn on" is ready, still nothing asked.
  await expect(turnOn(page)).toBeEnabled();
  await expect(pushControl(page)).toContainText('Get a notification on this device');
  expect(await page.evaluate(() => window.__permissionRequests)).toBe(0);

  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    expect(await seriousViolations(page, 'dialog[open]'), `${colorScheme} mode`).toEqual([]);
  }
});

test('P2. push: with permission granted, "Turn on" asks once and says how it ended', async ({
  newPage,
}) => {
  const user = await registerUser('pia');
  const page = await signInCounting(newPage, user);
  await page.context().grantPermissions(['notifications']);

  await bell(page).click();
  await turnOn(page).click();
  expect(await page.evaluate(() => window.__permissionRequests)).toBe(1);
  // Playwright's contexts are off-the-record and Chromium refuses push subscriptions there
  // ("AbortError: Registration failed - permission denied", though Notification.permission
  // and the push permission both say granted): the control says so instead of claiming success.
  await expect(pushControl(page).getByRole('alert')).toContainText('Push service unavailable');
  await expect(pushControl(page).getByTestId('push-status')).toHaveText(
    /Get a notification on this device/,
  );
  expect(await seriousViolations(page, 'dialog[open]'), 'with the alert').toEqual([]);
  expect(
    await page.evaluate(async () =>
      (await navigator.serviceWorker.ready).pushManager.getSubscription(),
    ),
  ).toBeNull();
});

test('P2b. push: in a real profile whose push service never answers, the control says so', async () => {
  test.setTimeout(60_000);
  const user = await registerUser('pia');
  // Not off-the-record: Chromium tries its push service (GCM), here a closed port, whatever
  // network the machine has. It retries for minutes without answering; the app gives up.
  const { launchOptions, baseURL } = test.info().project.use;
  const closed = 'http://127.0.0.1:9/';
  const profile = mkdtempSync(path.join(tmpdir(), 'chat-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    ...launchOptions,
    baseURL,
    args: [
      ...(launchOptions?.args ?? []),
      `--gcm-checkin-url=${closed}`,
      `--gcm-registration-url=${closed}`,
      `--gcm-mcs-endpoint=${closed}`,
    ],
  });
  try {
    await context.grantPermissions(['notifications']);
    const page = await context.newPage();
    await signInThroughUi(page, user.username, user.password);
    await bell(page).click();
    await turnOn(page).click();
    await expect(pushControl(page).getByTestId('push-status')).toHaveText('Turning on…');
    await expect(pushControl(page).getByRole('alert')).toContainText('Push service unavailable', {
      timeout: 25_000,
    });
    await expect(pushControl(page).getByRole('alert')).toContainText(
      'No answer from the push service',
    );
    await expect(turnOn(page)).toBeEnabled();
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

/** Pushes `data` to the page's service worker through DevTools, as a push service would. */
async function deliverPush(context: BrowserContext, page: Page, data: string): Promise<void> {
  const cdp = await context.newCDPSession(page);
  const registrations = new Map<string, string>();
  cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations: updated }) => {
    for (const r of updated) if (!r.isDeleted) registrations.set(r.scopeURL, r.registrationId);
  });
  await cdp.send('ServiceWorker.enable');
  const origin = new URL(page.url()).origin;
  await expect.poll(() => registrations.get(`${origin}/`)).toBeDefined();
  await cdp.send('ServiceWorker.deliverPushMessage', {
    origin,
    registrationId: registrations.get(`${origin}/`) ?? '',
    data,
  });
  await cdp.detach();
}

/** The notifications the service worker shows now, as the page can list them. */
const shownNotifications = (page: Page) =>
  page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    const shown = await registration.getNotifications();
    return shown.map((n) => ({ title: n.title, body: n.body, tag: n.tag }));
  });

test('P3. push: the service worker shows a pushed message as a notification', async ({ actor }) => {
  const { page, context } = await actor('pia');
  await context.grantPermissions(['notifications']);
  await expect.poll(() => serviceWorkerScript(page)).toMatch(/\/sw\.js$/);

  // The server's payload (API.md, Web Push): one notification per conversation.
  const payload = (body: string) =>
    JSON.stringify({
      title: 'Bob',
      body,
      conversationId: 'conv_push_1',
      messageId: 'msg_1',
      url: '/#/c/conv_push_1',
    });
  await deliverPush(context, page, payload('See you at noon'));
  await expect
    .poll(() => shownNotifications(page))
    .toEqual([{ title: 'Bob', body: 'See you at noon', tag: 'conv_push_1' }]);

  // A newer message in the same conversation replaces it rather than piling up.
  await deliverPush(context, page, payload('Make it one'));
  await expect
    .poll(() => shownNotifications(page))
    .toEqual([{ title: 'Bob', body: 'Make it one', tag: 'conv_push_1' }]);

  // Not JSON (or not ours): still a notification, with the text as its body.
  await deliverPush(context, page, 'plain text from somewhere');
  await expect
    .poll(() => shownNotifications(page))
    .toContainEqual({ title: 'New message', body: 'plain text from somewhere', tag: '' });
});

test('P4. push: a message reaches a local push endpoint, decrypted and VAPID-signed, only while the recipient’s page is closed', async ({
  actor,
  signIn,
}) => {
  const tlsDir = process.env.E2E_PUSH_TLS_DIR;
  if (!tlsDir)
    throw new Error('E2E_PUSH_TLS_DIR is not set: run the suite with `node tools/e2e.mjs`');
  const rita = await registerUser('rita');
  const { publicKey } = await rita.api.push.vapidPublicKey.query();
  // A real push service on 127.0.0.1: it checks the VAPID JWT and decrypts with the keys of
  // the subscription it hands out (a browser can't subscribe to it, so the API does, P2).
  const endpoint = await startPushEndpoint({ vapidPublicKey: publicKey, tlsDir });
  try {
    const device = endpoint.subscription('rita');
    await rita.api.push.subscribe.mutate(device.json);
    const ritaOnline = await signIn(rita);
    const sam = await actor('sam');
    await startDirectChat(sam.page, rita.username);

    await sendMessage(sam.page, 'while her page is open');
    await openChat(ritaOnline.page, sam.user.displayName);
    await expect(messagesWith(ritaOnline.page, 'while her page is open')).toHaveCount(1);
    await expect(sam.page.getByText('Online', { exact: true }).first()).toBeVisible();

    await ritaOnline.context.close();
    // Her last socket is gone once Sam sees her offline.
    await expect(sam.page.getByText(/^Last seen/).first()).toBeVisible({ timeout: 20_000 });
    await sendMessage(sam.page, 'while her page is closed');

    await expect.poll(() => device.received().length, { timeout: 20_000 }).toBe(1);
    const [push] = device.received();
    expect(push!.payload).toMatchObject({
      title: sam.user.displayName,
      body: 'while her page is closed',
      url: expect.stringMatching(/^\/#\/c\/[0-9a-f]{24}$/),
    });
    expect(push!.claims.sub).toBeTruthy();
    expect(endpoint.errors).toEqual([]);
  } finally {
    await endpoint.close();
  }
});
