import { seriousViolations } from './axe';
import { expect, test } from './fixtures';
import { chooseFiles, PDF, pasteImage, sendButton, tray } from './files';
import { composer, messageLog, openChat, sendMessage, startDirectChat } from './helpers';

for (const colorScheme of ['light', 'dark'] as const) {
  test(`7. axe: sign-in, conversation list and chat screens (${colorScheme} mode)`, async ({
    page,
    actor,
  }) => {
    await page.emulateMedia({ colorScheme });
    await page.goto('/');
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
    expect(await seriousViolations(page), 'sign-in screen').toEqual([]);

    await page.getByRole('button', { name: 'Register' }).click();
    await expect(page.getByRole('button', { name: 'Create account' })).toBeVisible();
    expect(await seriousViolations(page), 'sign-up screen').toEqual([]);

    const alice = await actor('alice');
    const bob = await actor('bob');
    await alice.page.emulateMedia({ colorScheme });
    await bob.page.emulateMedia({ colorScheme });
    await startDirectChat(alice.page, bob.user.username);
    await sendMessage(alice.page, 'Hello! https://example.com');
    await expect(
      alice.page.getByRole('navigation', { name: 'Conversations' }).getByRole('link'),
    ).toHaveCount(1);

    // Bob's list, with an unread conversation in it.
    await expect(
      bob.page.getByRole('navigation', { name: 'Conversations' }).getByRole('link'),
    ).toHaveAccessibleName(/1 unread/);
    expect(await seriousViolations(bob.page), 'conversation list').toEqual([]);

    // The chat screen, with messages both ways.
    await openChat(bob.page, alice.user.displayName);
    await sendMessage(bob.page, 'Hi Alice');
    await expect(messageLog(alice.page).getByText('Hi Alice')).toBeVisible();
    expect(await seriousViolations(bob.page), 'chat screen (recipient)').toEqual([]);
    expect(await seriousViolations(alice.page), 'chat screen (sender)').toEqual([]);

    // The "New group" dialog.
    await alice.page.getByRole('button', { name: 'New group' }).click();
    await expect(alice.page.getByRole('dialog', { name: 'New group' })).toBeVisible();
    expect(await seriousViolations(alice.page), 'new group dialog').toEqual([]);
  });
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`7b. axe: attachments — the tray, images and file cards in messages, the image viewer (${colorScheme} mode)`, async ({
    actor,
  }) => {
    const alice = await actor('alice');
    const bob = await actor('bob');
    await alice.page.emulateMedia({ colorScheme });
    await bob.page.emulateMedia({ colorScheme });
    await startDirectChat(alice.page, bob.user.username);
    await sendMessage(alice.page, 'Files coming');
    await openChat(bob.page, alice.user.displayName);

    // The tray: an uploaded image, an uploaded PDF, and one that failed (offline) with Retry.
    await pasteImage(alice.page, 'photo.png', 300, 200);
    await chooseFiles(alice.page, PDF);
    const items = tray(alice.page).getByTestId('upload');
    await expect(items.and(alice.page.locator('[data-state="done"]'))).toHaveCount(2);
    await alice.context.setOffline(true);
    await chooseFiles(alice.page, {
      name: 'later.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('x'),
    });
    await expect(items.and(alice.page.locator('[data-state="failed"]'))).toHaveCount(1);
    expect(await seriousViolations(alice.page), 'composer with files').toEqual([]);
    await alice.context.setOffline(false);
    await items.last().getByRole('button', { name: 'Remove later.txt' }).click();
    await composer(alice.page).fill('Here they are');
    await sendButton(alice.page).click();

    // Both sides of a message with an image, a file card and a caption.
    const open = messageLog(bob.page).getByRole('button', { name: 'Open image photo.png' });
    await expect(open.locator('img')).toHaveJSProperty('complete', true);
    await expect(
      messageLog(bob.page).getByRole('link', { name: /^Download tiny\.pdf/ }),
    ).toBeVisible();
    await expect(
      messageLog(alice.page).getByRole('link', { name: /^Download tiny\.pdf/ }),
    ).toBeVisible();
    expect(await seriousViolations(bob.page), 'message with attachments (recipient)').toEqual([]);
    expect(await seriousViolations(alice.page), 'message with attachments (sender)').toEqual([]);

    await open.click();
    await expect(bob.page.getByRole('dialog', { name: 'photo.png' })).toBeVisible();
    expect(await seriousViolations(bob.page), 'image viewer').toEqual([]);
  });
}
