import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { messageLog, messagesWith, openChat, sendMessage, startDirectChat } from './helpers';

const payloads = [
  '<img src=x onerror="window.__xss=1">',
  '<script>window.__xss=2</script>',
  '<svg onload="window.__xss=3"></svg><a href="javascript:window.__xss=4">click</a>',
];

const xssFlag = (page: Page) =>
  page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss);

test('6. an XSS payload in a message shows as text and runs nothing', async ({ actor }) => {
  const alice = await actor('alice');
  const bob = await actor('bob');
  await startDirectChat(alice.page, bob.user.username);
  for (const payload of payloads) await sendMessage(alice.page, payload);
  await sendMessage(alice.page, 'see https://example.com/path?q=1 and javascript:alert(1)');
  await openChat(bob.page, alice.user.displayName);

  for (const page of [alice.page, bob.page]) {
    const log = messageLog(page);
    for (const payload of payloads) {
      // The exact text is shown, once, as text.
      await expect(messagesWith(page, payload)).toHaveCount(1);
      await expect(log.getByText(payload, { exact: true })).toBeVisible();
    }
    // No element came out of the payloads.
    await expect(
      log.locator('img, script, svg[onload], [onerror], a[href^="javascript:"]'),
    ).toHaveCount(0);

    // A URL becomes a safe link; "javascript:" text does not.
    const link = log.getByRole('link', { name: 'https://example.com/path?q=1' });
    await expect(link).toHaveAttribute('href', 'https://example.com/path?q=1');
    await expect(link).toHaveAttribute('rel', /noopener/);
    await expect(link).toHaveAttribute('rel', /noreferrer/);
    await expect(log.getByRole('link')).toHaveCount(1);
  }
  // Nothing ran, on the sender's screen or the recipient's — even after a reload.
  await bob.page.reload();
  await expect(messageLog(bob.page)).toBeVisible();
  await expect(messagesWith(bob.page, payloads[0]!)).toHaveCount(1);
  for (const page of [alice.page, bob.page]) expect(await xssFlag(page)).toBeUndefined();
});
