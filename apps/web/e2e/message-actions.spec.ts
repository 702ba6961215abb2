import { randomUUID } from 'node:crypto';
import type { Locator, Page } from '@playwright/test';
import { seriousViolations } from './axe';
import { expect, test } from './fixtures';
import {
  composer,
  conversationLink,
  messageLog,
  messagesWith,
  openChat,
  sendMessage,
  startDirectChat,
} from './helpers';

/** The message with this server id in the open chat. */
const messageById = (page: Page, id: string): Locator =>
  messageLog(page).locator(`[data-message-id="${id}"]`);

/** Hovers a message (its actions show) and presses one of them. */
async function act(message: Locator, action: string) {
  await message.hover();
  await message
    .getByRole('group', { name: 'Message actions' })
    .getByRole('button', { name: action, exact: true })
    .click();
}

const bell = (page: Page) => page.getByRole('button', { name: /^Notifications/ });

test('M1. reactions, edit and delete for everyone show live on both sides', async ({ actor }) => {
  const alice = await actor('alice');
  const bob = await actor('bob');
  await startDirectChat(alice.page, bob.user.username);
  await sendMessage(alice.page, 'react to this');
  await sendMessage(alice.page, 'a typo hree');
  await sendMessage(alice.page, 'a regrettable message');
  await openChat(bob.page, alice.user.displayName);
  const onBob = messagesWith(bob.page, 'react to this');
  await expect(onBob).toBeVisible();

  // Bob reacts with 👍 (a quick reaction) and 🔥 (from the grid); Alice sees both, live.
  await act(onBob, 'React');
  let picker = bob.page.getByRole('dialog', { name: 'Add a reaction' });
  await picker.getByRole('button', { name: 'thumbs up' }).click();
  await expect(picker).toBeHidden();
  await act(onBob, 'React');
  picker = bob.page.getByRole('dialog', { name: 'Add a reaction' });
  await expect(picker.getByRole('button', { name: 'thumbs up' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await picker.getByRole('button', { name: 'fire' }).click();
  await expect(onBob.getByRole('button', { name: '👍 1: you' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );

  const onAlice = messagesWith(alice.page, 'react to this');
  const thumbsOnAlice = onAlice.getByRole('button', { name: /^👍 1: / });
  await expect(thumbsOnAlice).toHaveAccessibleName(`👍 1: ${bob.user.displayName}`);
  await expect(thumbsOnAlice).toHaveAttribute('aria-pressed', 'false');
  await expect(onAlice.getByRole('button', { name: /^🔥 1: / })).toBeVisible();

  // Alice adds her 👍 by clicking the chip: two on both sides, hers pressed on hers.
  await thumbsOnAlice.click();
  await expect(onAlice.getByRole('button', { name: /^👍 2: you and / })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await expect(onBob.getByRole('button', { name: /^👍 2: you and / })).toBeVisible();
  // Bob takes his 🔥 back: gone on both sides.
  await onBob.getByRole('button', { name: /^🔥 1: / }).click();
  await expect(onBob.getByTestId('reaction')).toHaveCount(1);
  await expect(onAlice.getByTestId('reaction')).toHaveCount(1);

  // Alice edits her typo in place (Enter saves): new text and "edited" on both sides.
  const typo = messagesWith(alice.page, 'a typo hree');
  const typoId = (await typo.getAttribute('data-message-id'))!;
  await act(typo, 'Edit');
  const editor = messageById(alice.page, typoId).getByRole('textbox', { name: 'Edit message' });
  await expect(editor).toBeFocused();
  await editor.fill('a typo here');
  await editor.press('Enter');
  for (const page of [alice.page, bob.page]) {
    await expect(messageById(page, typoId)).toContainText('a typo here');
    await expect(messageById(page, typoId)).toContainText('edited');
  }
  // Escape cancels an edit.
  await act(messageById(alice.page, typoId), 'Edit');
  await editor.fill('never saved');
  await alice.page.keyboard.press('Escape');
  await expect(messageById(alice.page, typoId)).toContainText('a typo here');
  // Bob cannot edit or delete Alice's message for everyone in a direct chat.
  await messageById(bob.page, typoId).hover();
  await expect(messageById(bob.page, typoId).getByRole('button', { name: 'Edit' })).toHaveCount(0);
  await expect(
    messageById(bob.page, typoId).getByRole('button', { name: 'Delete for everyone' }),
  ).toHaveCount(0);

  // Delete for everyone, after confirming: a tombstone on both sides, and in the list.
  const regret = messagesWith(alice.page, 'a regrettable message');
  const regretId = (await regret.getAttribute('data-message-id'))!;
  await act(regret, 'Delete for everyone');
  const confirm = alice.page.getByRole('dialog', { name: 'Delete for everyone?' });
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await confirm.getByRole('button', { name: 'Delete for everyone' }).click();
  for (const page of [alice.page, bob.page]) {
    const tombstone = messageById(page, regretId);
    await expect(tombstone).toContainText('This message was deleted');
    await expect(tombstone).not.toContainText('regrettable');
    // Only "delete for me" is left on a tombstone.
    await tombstone.hover();
    await expect(tombstone.getByRole('button')).toHaveAccessibleName('Delete message for me');
  }
  await expect(conversationLink(bob.page, alice.user.displayName)).toContainText(
    'This message was deleted',
  );
});

test('M2. replies: the composer quotes, a quote click scrolls to the original', async ({
  actor,
}) => {
  const alice = await actor('alice');
  const bob = await actor('bob');
  const { id: conversationId } = await alice.user.api.chat.openDirect.mutate({
    userId: bob.user.id,
  });
  const send = (content: string, replyTo?: string) =>
    alice.user.api.chat.send.mutate({
      conversationId,
      clientId: randomUUID(),
      content,
      ...(replyTo ? { replyTo } : {}),
    });
  // The original, then more than a page (50) after it: Bob's first page lacks it.
  const original = await send('the original question');
  for (let i = 1; i <= 55; i++) await send(`filler ${i}`);
  const answering = await send('answering way back', original.id);

  await openChat(bob.page, alice.user.displayName);
  const reply = messageById(bob.page, answering.id);
  await expect(reply.getByTestId('reply-quote')).toContainText('the original question');
  await expect(messageById(bob.page, original.id)).toHaveCount(0);

  // Bob replies through the UI: "Replying to …" above the composer, Escape or × cancels.
  await act(reply, 'Reply');
  const bar = bob.page.getByRole('group', { name: 'Reply' });
  await expect(bar).toContainText(`Replying to ${alice.user.displayName}`);
  await expect(composer(bob.page)).toBeFocused();
  await composer(bob.page).press('Escape');
  await expect(bar).toBeHidden();
  await act(reply, 'Reply');
  await sendMessage(bob.page, 'my answer');
  await expect(bar).toBeHidden();
  await expect(messagesWith(bob.page, 'my answer').getByTestId('reply-quote')).toContainText(
    'answering way back',
  );
  await openChat(alice.page, bob.user.displayName);
  await expect(messagesWith(alice.page, 'my answer').getByTestId('reply-quote')).toContainText(
    'answering way back',
  );

  // The quote of an original that is not loaded: older pages load, it scrolls into view,
  // takes the focus and is highlighted for a moment. Live updates landing meanwhile (Alice's
  // read receipt of "my answer", a new message from her) leave Bob where he jumped to.
  await reply.getByTestId('reply-quote').click();
  const meanwhile = await send('said while Bob looks back');
  const target = messageById(bob.page, original.id);
  await expect(messageById(bob.page, meanwhile.id)).toHaveCount(1);
  await expect(target).toBeInViewport();
  await expect(target).toBeFocused();
  await expect(target).toHaveAttribute('data-highlighted', 'true');
  await expect(target).not.toHaveAttribute('data-highlighted', 'true', { timeout: 5_000 });

  // Deleted for everyone: the quote says so, on Bob's side, live.
  await alice.user.api.chat.deleteForEveryone.mutate({ messageId: original.id });
  await expect(reply.getByTestId('reply-quote')).toContainText('Original message was deleted');
});

test('M3. mute: the muted state shows, and a muted chat brings no notification', async ({
  actor,
}) => {
  const alice = await actor('alice');
  const bob = await actor('bob');
  const carol = await actor('carol');
  await startDirectChat(alice.page, bob.user.username);
  await sendMessage(alice.page, 'before muting');
  await openChat(bob.page, alice.user.displayName);

  // Bob mutes Alice "until I unmute".
  await bob.page.getByRole('button', { name: 'Mute', exact: true }).click();
  const dialog = bob.page.getByRole('dialog', { name: 'Mute notifications' });
  await dialog.getByRole('button', { name: 'Until I unmute' }).click();
  await expect(dialog).toBeHidden();
  await expect(bob.page.getByRole('button', { name: 'Unmute' })).toBeVisible();
  const chat = bob.page.getByRole('region', { name: 'Chat' });
  await expect(chat.getByRole('heading').getByRole('img', { name: 'Muted' })).toBeVisible();
  const aliceLink = conversationLink(bob.page, alice.user.displayName);
  await expect(aliceLink).toHaveAccessibleName(/muted/);

  // Bob looks elsewhere; the bell's count from here on.
  await bob.page.goto('/#/');
  const list = bob.page.getByRole('navigation', { name: 'Conversations' });
  await expect(list).toBeVisible();
  const bobsNotifications = () => bob.user.api.notification.list.query({});
  await expect
    .poll(async () => (await bobsNotifications()).items.some((n) => n.kind === 'login'))
    .toBe(true);
  const before = (await bobsNotifications()).unread;

  // Alice writes (muted), then Carol (not muted): only Carol's makes a notification.
  await sendMessage(alice.page, 'hush now');
  await expect(aliceLink).toContainText('hush now');
  await expect(aliceLink).toHaveAccessibleName(/muted/);
  const { id: carolsChat } = await carol.user.api.chat.openDirect.mutate({ userId: bob.user.id });
  await carol.user.api.chat.send.mutate({
    conversationId: carolsChat,
    clientId: randomUUID(),
    content: 'hello from carol',
  });
  await expect(bell(bob.page)).toHaveAccessibleName(new RegExp(`\\b${before + 1} unread\\b`));
  const { items } = await bobsNotifications();
  expect(items.filter((n) => n.body === 'hush now')).toEqual([]);
  expect(items.filter((n) => n.conversationId === carolsChat)).toHaveLength(1);

  // Unmute: the icon goes.
  await openChat(bob.page, alice.user.displayName);
  await bob.page.getByRole('button', { name: 'Unmute' }).click();
  await expect(bob.page.getByRole('button', { name: 'Mute', exact: true })).toBeVisible();
  await expect(aliceLink).not.toHaveAccessibleName(/muted/);
});

test('M4. axe: quotes, reactions, edited, tombstones, the picker and the mute dialog', async ({
  actor,
}) => {
  const alice = await actor('alice');
  const bob = await actor('bob');
  await startDirectChat(alice.page, bob.user.username);
  await sendMessage(alice.page, 'first words');
  await sendMessage(alice.page, 'to be deleted');
  const first = messagesWith(alice.page, 'first words').first();
  await act(first, 'React');
  await alice.page.getByRole('button', { name: 'red heart' }).click();
  await act(first, 'Reply');
  await composer(alice.page).fill('a reply');
  await alice.page.getByRole('button', { name: 'Send' }).click();
  await act(messagesWith(alice.page, 'a reply'), 'Edit');
  await alice.page.keyboard.type(' (edited)');
  await alice.page.keyboard.press('Enter');
  await act(messagesWith(alice.page, 'to be deleted'), 'Delete for everyone');
  await alice.page.getByRole('dialog').getByRole('button', { name: 'Delete for everyone' }).click();
  await expect(messageLog(alice.page)).toContainText('This message was deleted');
  await expect(messageLog(alice.page)).toContainText('edited');
  await openChat(bob.page, alice.user.displayName);
  await expect(messageLog(bob.page)).toContainText('This message was deleted');

  for (const page of [alice.page, bob.page]) {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      expect(await seriousViolations(page), `chat (${colorScheme})`).toEqual([]);
    }
  }
  await act(messagesWith(bob.page, 'first words').first(), 'React');
  expect(await seriousViolations(bob.page), 'reaction picker').toEqual([]);
  await bob.page.keyboard.press('Escape');
  await bob.page.getByRole('button', { name: 'Mute', exact: true }).click();
  expect(await seriousViolations(bob.page), 'mute dialog').toEqual([]);
});

test('M5. search: a found message opens its chat, scrolled to it', async ({ actor }) => {
  const alice = await actor('alice');
  const bob = await actor('bob');
  const { id: conversationId } = await alice.user.api.chat.openDirect.mutate({
    userId: bob.user.id,
  });
  const send = (content: string) =>
    alice.user.api.chat.send.mutate({ conversationId, clientId: randomUUID(), content });
  const needle = await send('the blue needle is here');
  for (let i = 1; i <= 55; i++) await send(`hay ${i}`);

  // From the list, searching everywhere: the result names the chat and marks the word.
  await bob.page.getByRole('button', { name: 'Search messages' }).click();
  const dialog = bob.page.getByRole('dialog', { name: 'Search messages' });
  await dialog.getByRole('searchbox', { name: 'Search messages' }).fill('NEEDLE');
  const result = dialog.getByTestId('search-result');
  await expect(result).toHaveCount(1);
  await expect(result).toContainText(`in ${alice.user.displayName}`);
  await expect(result.locator('mark')).toHaveText('needle');
  await result.click();
  await expect(dialog).toBeHidden();
  const target = messageById(bob.page, needle.id);
  await expect(target).toBeInViewport();
  await expect(target).toBeFocused();

  // In the chat: only this chat's messages; nothing for words it lacks.
  await bob.page.getByRole('button', { name: 'Search in this chat' }).click();
  const inChat = bob.page.getByRole('dialog', { name: 'Search in this chat' });
  await inChat.getByRole('searchbox').fill('nowhere to be found');
  await expect(inChat.getByRole('status')).toHaveText('No messages found.');
  await inChat.getByRole('searchbox').fill('hay 55');
  await expect(inChat.getByTestId('search-result').first()).toContainText('hay 55');
  expect(await seriousViolations(bob.page), 'search dialog').toEqual([]);
});
