import { randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import { expect, test, type Actor } from './fixtures';
import {
  conversationLink,
  conversationList,
  escapeRegExp,
  messageLog,
  messagesWith,
  openChat,
  sendMessage,
  startDirectChat,
} from './helpers';

const bell = (page: Page) => page.getByRole('button', { name: /^Notifications/ });

/** The bell's count, from its accessible name ("Notifications 3 unread"); 0 without one. */
async function bellCount(page: Page): Promise<number> {
  const name = await bell(page).evaluate((el) => el.textContent ?? '');
  return Number(/(\d+)\s*unread/.exec(name)?.[1] ?? 0);
}

/**
 * Waits until the bell shows the "new sign-in" notification of the user's own sign-in (kind
 * `login`, docs/api.md): their event stream is live, so nothing sent from now on is missed.
 * Returns their unread count at that point.
 */
async function liveUnread(who: Actor): Promise<number> {
  const list = () => who.user.api.notification.list.query({});
  await expect.poll(async () => (await list()).items.some((n) => n.kind === 'login')).toBe(true);
  const unread = (await list()).unread;
  await expect.poll(() => bellCount(who.page)).toBe(unread);
  return unread;
}

test('4. unread badge and notification count', async ({ actor }) => {
  const alice = await actor('alice');
  const bob = await actor('bob');
  const carol = await actor('carol');

  // Bob starts with the notification of his sign-in: count from there.
  const before = await liveUnread(bob);
  const unreadBell = (n: number) => new RegExp(`\\b${before + n} unread\\b`);

  // Alice writes three messages; Bob's list shows the conversation with 3 unread, and the
  // bell counts 3 — live.
  await startDirectChat(alice.page, bob.user.username);
  for (const text of ['one', 'two', 'three']) await sendMessage(alice.page, `ping ${text}`);
  const fromAlice = conversationLink(bob.page, alice.user.displayName);
  await expect(fromAlice).toContainText('ping three');
  await expect(fromAlice).toHaveAccessibleName(/\b3 unread\b/);
  await expect(bell(bob.page)).toHaveAccessibleName(unreadBell(3));

  // Carol writes once: her conversation moves to the top with its own badge.
  const { id: conversationId } = await carol.user.api.chat.openDirect.mutate({
    userId: bob.user.id,
  });
  await carol.user.api.chat.send.mutate({
    conversationId,
    clientId: randomUUID(),
    content: 'hey from carol',
  });
  const fromCarol = conversationLink(bob.page, carol.user.displayName);
  await expect(fromCarol).toHaveAccessibleName(/\b1 unread\b/);
  await expect(conversationList(bob.page).getByRole('link').first()).toHaveAccessibleName(
    new RegExp(carol.user.displayName),
  );
  await expect(bell(bob.page)).toHaveAccessibleName(unreadBell(4));

  // Bob reads Alice's conversation: its badge goes, Carol's stays.
  await openChat(bob.page, alice.user.displayName);
  await expect(fromAlice).not.toHaveAccessibleName(/unread/);
  await expect(fromCarol).toHaveAccessibleName(/\b1 unread\b/);

  // A message in another conversation bumps that one while Bob reads this one.
  await carol.user.api.chat.send.mutate({
    conversationId,
    clientId: randomUUID(),
    content: 'still there?',
  });
  await expect(fromCarol).toHaveAccessibleName(/\b2 unread\b/);
  await expect(fromCarol).toContainText('still there?');
  await expect(conversationList(bob.page).getByRole('link').first()).toHaveAccessibleName(
    new RegExp(carol.user.displayName),
  );

  // The notification list shows them; "Mark all as read" clears the bell.
  await bell(bob.page).click();
  const dialog = bob.page.getByRole('dialog', { name: 'Notifications' });
  const list = dialog.getByRole('list', { name: 'Notification list' });
  for (const text of ['ping one', 'ping two', 'ping three', 'hey from carol', 'still there?'])
    await expect(list.getByRole('listitem').filter({ hasText: text })).toHaveCount(1);
  await dialog.getByRole('button', { name: 'Mark all as read' }).click();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(bell(bob.page)).not.toHaveAccessibleName(/unread/);
  // It stays read after a reload.
  await bob.page.reload();
  await expect(conversationList(bob.page)).toBeVisible();
  await expect(fromCarol).toHaveAccessibleName(/\b2 unread\b/);
  await expect(bell(bob.page)).not.toHaveAccessibleName(/unread/);
});

test('4b. a notification opens its conversation and counts as read', async ({ actor }) => {
  const alice = await actor('alice');
  const bob = await actor('bob');
  // Bob's page is live before Alice writes (else the message may land between its first list
  // and its stream).
  await liveUnread(bob);
  const { id: conversationId } = await alice.user.api.chat.openDirect.mutate({
    userId: bob.user.id,
  });
  const text = `come and look ${randomUUID().slice(0, 8)}`;
  await alice.user.api.chat.send.mutate({ conversationId, clientId: randomUUID(), content: text });
  const fromAlice = conversationLink(bob.page, alice.user.displayName);
  await expect(fromAlice).toHaveAccessibleName(/\b1 unread\b/);

  // No chat is open on Bob's side: the notification is what takes him there.
  await expect(messageLog(bob.page)).toBeHidden();
  await bell(bob.page).click();
  const dialog = bob.page.getByRole('dialog', { name: 'Notifications' });
  const item = dialog
    .getByRole('list', { name: 'Notification list' })
    .getByRole('listitem')
    .filter({ hasText: text });
  await expect(item).toHaveCount(1);
  await expect(item).toContainText('(unread)');
  await item.getByRole('button').click();

  await expect(dialog).toBeHidden();
  await expect(messagesWith(bob.page, text)).toHaveCount(1);
  await expect(bob.page).toHaveURL(new RegExp(escapeRegExp(conversationId)));
  // Opening the chat read its message; opening the notification read the notification.
  await expect(fromAlice).not.toHaveAccessibleName(/unread/);
  await expect
    .poll(
      async () =>
        (await bob.user.api.notification.list.query({})).items.find((n) => n.body.includes(text))
          ?.read,
    )
    .toBe(true);
  await bell(bob.page).click();
  await expect(item).not.toContainText('(unread)');
});
