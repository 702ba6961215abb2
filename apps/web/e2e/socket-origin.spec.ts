import { createServer, request, type Server } from 'node:http';
import { connect } from 'node:net';
import { baseUrl, registerUser } from './api';
import { expect, test } from './fixtures';
import { conversationList, messagesWith, openChat, sendMessage, startDirectChat } from './helpers';

/**
 * The gateway serves the app with PUBLIC_URL = BASE_URL (http://127.0.0.1:<port>). Opened at
 * another address of the same server (localhost) the app must still be live; opened through
 * a proxy that rewrites Host (so the socket's origin is foreign to the gateway) it must say
 * that live updates are refused instead of silently showing everyone offline.
 */

async function signInAt(
  page: import('@playwright/test').Page,
  origin: string,
  user: { username: string; password: string },
) {
  await page.goto(`${origin}/`);
  await page.getByLabel('Username or email').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(conversationList(page)).toBeVisible();
}

/** A reverse proxy that sends everything to the gateway with the gateway's own Host. */
function hostRewritingProxy(target: URL): Promise<{ origin: string; server: Server }> {
  const server = createServer((req, res) => {
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('upgrade', (req, socket, head) => {
    const upstream = connect(Number(target.port), target.hostname, () => {
      const headers = { ...req.headers, host: target.host };
      const lines = Object.entries(headers).map(([k, v]) => `${k}: ${String(v)}`);
      upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as { port: number };
      resolve({ origin: `http://127.0.0.1:${address.port}`, server });
    }),
  );
}

test.describe('the live connection and the page origin', () => {
  test('opened at localhost instead of PUBLIC_URL, the app is still live', async ({
    newPage,
    actor,
  }) => {
    const localhost = baseUrl().replace('127.0.0.1', 'localhost');
    expect(localhost, 'tools/e2e.mjs serves the app at 127.0.0.1').not.toBe(baseUrl());
    const alice = await registerUser('alice');
    const bob = await actor('bob');
    const page = await newPage();
    await signInAt(page, localhost, alice);

    await startDirectChat(bob.page, alice.username);
    await sendMessage(bob.page, 'hello over localhost');
    await openChat(page, bob.user.displayName);
    await sendMessage(page, 'reply from localhost');
    // Live: Bob's next message arrives without a reload, and nobody is told it's refused.
    await sendMessage(bob.page, 'second, live');
    await expect(messagesWith(page, 'second, live')).toHaveCount(1);
    await expect(page.getByRole('alert').filter({ hasText: /Live updates/ })).toHaveCount(0);
  });

  test('refused by the server, the app says so', async ({ newPage }) => {
    const proxy = await hostRewritingProxy(new URL(baseUrl()));
    try {
      const alice = await registerUser('alice');
      const page = await newPage();
      await signInAt(page, proxy.origin, alice);
      const banner = page.getByRole('alert').filter({ hasText: 'Live updates are unavailable' });
      await expect(banner).toBeVisible({ timeout: 15_000 });
      await expect(banner).toContainText('the server refused the connection');
      await expect(banner).toContainText(`origin ${proxy.origin}`);
    } finally {
      proxy.server.closeAllConnections();
      proxy.server.close();
    }
  });
});
