import { readFileSync } from 'node:fs';
import type { Locator } from '@playwright/test';
import {
  DEFAULT_FILE_MAX_BYTES,
  MAX_ATTACHMENTS_PER_MESSAGE,
  THUMBNAIL_MAX_PX,
} from '@chat/contract/constants';
import { registerUser } from './api';
import { chooseFiles, dropFiles, PDF, pasteImage, sendButton, toneWav, tray } from './files';
import { expect, test } from './fixtures';
import {
  composer,
  conversationLink,
  messageLog,
  messageState,
  messagesWith,
  openChat,
  sendMessage,
  startDirectChat,
} from './helpers';

const naturalWidth = (img: Locator) =>
  img.evaluate((el: HTMLImageElement) => (el.complete ? el.naturalWidth : 0));

test('attachments 1. a pasted image: the other user sees the thumbnail live, opens it in a dialog, Escape closes it', async ({
  actor,
}) => {
  const alice = await actor('alice');
  const bob = await actor('bob');
  await startDirectChat(alice.page, bob.user.username);
  await sendMessage(alice.page, 'Look at this');
  await openChat(bob.page, alice.user.displayName);
  await expect(messagesWith(bob.page, 'Look at this')).toHaveCount(1);

  await pasteImage(alice.page, 'screenshot.png', 640, 400);
  const pending = tray(alice.page).getByTestId('upload');
  await expect(pending).toHaveCount(1);
  // The tray previews the image from the pasted bytes themselves.
  await expect(pending.locator('img')).toHaveAttribute('src', /^blob:/);
  await expect(pending).toHaveAttribute('data-state', 'done');
  await expect(composer(alice.page)).toHaveValue('');
  await sendButton(alice.page).click();
  await expect(tray(alice.page)).toBeHidden();

  // Bob, with the chat open, gets it live: the thumbnail (≤ THUMBNAIL_MAX_PX), in a box sized
  // from the image's width/height (640×400 into 320 px), loaded from its signed URL.
  const open = messageLog(bob.page).getByRole('button', { name: 'Open image screenshot.png' });
  await expect(open).toBeVisible();
  const thumbnail = open.locator('img');
  await expect(thumbnail).toHaveAttribute(
    'src',
    /^\/files\/[0-9a-f]{24}\/thumbnail\?exp=\d+&sig=[\w-]+$/,
  );
  await expect.poll(() => naturalWidth(thumbnail)).toBeGreaterThan(0);
  expect(await naturalWidth(thumbnail)).toBeLessThanOrEqual(THUMBNAIL_MAX_PX);
  const box = (await open.boundingBox())!;
  expect(Math.round(box.width)).toBe(320);
  expect(Math.round(box.height)).toBe(200);
  await expect(conversationLink(bob.page, alice.user.displayName)).toContainText('📎 Photo');
  await expect(
    messageLog(alice.page).getByRole('button', { name: 'Open image screenshot.png' }),
  ).toBeVisible();
  await expect(messageState(alice.page, '', 'Read').last()).toBeVisible();

  // The full image in a modal dialog named after the file; focus moves in, Escape leaves it
  // and focus returns to the thumbnail.
  await open.click();
  const dialog = bob.page.getByRole('dialog', { name: 'screenshot.png' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAttribute('aria-modal', 'true');
  await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused();
  const full = dialog.getByRole('img', { name: 'screenshot.png' });
  await expect(full).toHaveAttribute('src', /^\/files\/[0-9a-f]{24}\?exp=\d+&sig=[\w-]+$/);
  await expect.poll(() => naturalWidth(full)).toBe(640);
  await bob.page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(open).toBeFocused();

  // With the keyboard again, closed by its button this time.
  await bob.page.keyboard.press('Enter');
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
  await expect(open).toBeFocused();
});

test('attachments 2. a PDF and a WAV (file chooser) and a dropped text file: cards whose link downloads, an audio player', async ({
  actor,
}) => {
  const alice = await actor('alice');
  const bob = await actor('bob');
  await startDirectChat(alice.page, bob.user.username);
  await sendMessage(alice.page, 'Papers coming');
  await openChat(bob.page, alice.user.displayName);

  await chooseFiles(alice.page, [
    { name: 'tiny.pdf', mimeType: 'application/pdf', buffer: readFileSync(PDF) },
    { name: 'tone.wav', mimeType: 'audio/wav', buffer: toneWav(0.5) },
  ]);
  await dropFiles(alice.page, [{ name: 'notes.txt', type: 'text/plain', text: 'Some notes\n' }]);
  const items = tray(alice.page).getByTestId('upload');
  await expect(items).toHaveCount(3);
  await expect(items.nth(0)).toContainText('tiny.pdf');
  await expect(items.nth(1)).toContainText('tone.wav');
  await expect(items.nth(2)).toContainText('notes.txt');
  await expect(items.and(alice.page.locator('[data-state="done"]'))).toHaveCount(3);
  // Content may be empty: Enter sends the files alone.
  await composer(alice.page).press('Enter');
  await expect(tray(alice.page)).toBeHidden();

  const pdf = messageLog(bob.page).getByRole('link', { name: 'Download tiny.pdf (583 B)' });
  await expect(pdf).toBeVisible();
  await expect(
    messageLog(bob.page).getByRole('link', { name: /^Download notes\.txt/ }),
  ).toBeVisible();
  await expect(pdf).toHaveAttribute('download', 'tiny.pdf');
  // Mixed kinds make a "file" message: the list counts them.
  await expect(conversationLink(bob.page, alice.user.displayName)).toContainText('📎 3 files');
  await expect(conversationLink(alice.page, bob.user.displayName)).toContainText('You: 📎 3 files');

  // The WAV plays in the browser's own player, from its signed URL (with Range requests).
  const audio = messageLog(bob.page).locator('audio[controls]');
  await expect(audio).toHaveAttribute('aria-label', 'tone.wav');
  await expect(audio).toHaveAttribute('src', /^\/files\/[0-9a-f]{24}\?exp=\d+&sig=[\w-]+$/);
  await expect
    .poll(() => audio.evaluate((el: HTMLAudioElement) => el.duration))
    .toBeCloseTo(0.5, 1);

  const download = bob.page.waitForEvent('download');
  await pdf.click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('tiny.pdf');
  const saved = readFileSync(await file.path());
  expect(saved.subarray(0, 5).toString()).toBe('%PDF-');
  expect(saved.equals(readFileSync(PDF))).toBe(true);

  // The server itself says "download" (not only the link's attribute), and never sniffs.
  const response = await bob.page.request.get((await pdf.getAttribute('href'))!);
  expect(response.status()).toBe(200);
  expect(response.headers()['content-disposition']).toMatch(/^attachment;.*filename="tiny\.pdf"/);
  expect(response.headers()['content-type']).toBe('application/pdf');
  expect(response.headers()['x-content-type-options']).toBe('nosniff');
});

test('attachments 3. a file over the limit is refused in the tray without uploading; a failed upload is retried; at most 10 per message', async ({
  actor,
}) => {
  const alice = await actor('alice');
  const bob = await registerUser('bob');
  await startDirectChat(alice.page, bob.username);
  const posts: string[] = [];
  alice.page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/files')
      posts.push(request.url());
  });

  // Over DEFAULT_FILE_MAX_BYTES: a clear error on that file, nothing sent, Send stays off.
  await chooseFiles(alice.page, {
    name: 'huge.bin',
    mimeType: 'application/octet-stream',
    buffer: Buffer.alloc(DEFAULT_FILE_MAX_BYTES + 1024 * 1024),
  });
  const huge = tray(alice.page).getByTestId('upload');
  await expect(huge.getByRole('alert')).toHaveText('Too large: 26 MB (at most 25 MB per file)');
  await expect(huge.getByRole('button', { name: /^Retry/ })).toHaveCount(0);
  await expect(sendButton(alice.page)).toBeDisabled();
  await composer(alice.page).fill('with the big one');
  await expect(sendButton(alice.page)).toBeDisabled();
  await expect(sendButton(alice.page)).toHaveAccessibleDescription(/retry or remove the files/);
  await huge.getByRole('button', { name: 'Remove huge.bin' }).click();
  await expect(tray(alice.page)).toBeHidden();
  await expect(sendButton(alice.page)).toBeEnabled();
  await composer(alice.page).fill('');
  expect(posts).toEqual([]);

  // Offline: the upload fails with its reason and a Retry; back online, Retry uploads it.
  await alice.context.setOffline(true);
  await chooseFiles(alice.page, {
    name: 'note.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('hello'),
  });
  const note = tray(alice.page).getByTestId('upload');
  await expect(note).toHaveAttribute('data-state', 'failed');
  await expect(note.getByRole('alert')).toHaveText(/No connection|connection was lost/);
  await expect(sendButton(alice.page)).toBeDisabled();
  await alice.context.setOffline(false);
  await note.getByRole('button', { name: 'Retry uploading note.txt' }).click();
  await expect(note).toHaveAttribute('data-state', 'done');
  await composer(alice.page).fill('a note');
  await sendButton(alice.page).click();
  await expect(
    messagesWith(alice.page, 'a note').getByRole('link', { name: /^Download note\.txt/ }),
  ).toBeVisible();
  await expect(messageState(alice.page, 'a note', 'Sent')).toBeVisible();

  // On a slow link (Chromium's upload throttling): the progress bar moves, Cancel aborts it.
  const cdp = await alice.context.newCDPSession(alice.page);
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: 256 * 1024,
  });
  await chooseFiles(alice.page, {
    name: 'slow.bin',
    mimeType: 'application/octet-stream',
    buffer: Buffer.alloc(4 * 1024 * 1024, 7),
  });
  const progress = alice.page.getByRole('progressbar', { name: 'Uploading slow.bin' });
  await expect
    .poll(async () => Number(await progress.getAttribute('aria-valuenow')))
    .toBeGreaterThan(0);
  await expect(sendButton(alice.page)).toBeDisabled();
  await expect(sendButton(alice.page)).toHaveAccessibleDescription(/once the files are uploaded/);
  await alice.page.getByRole('button', { name: 'Cancel uploading slow.bin' }).click();
  await expect(tray(alice.page)).toBeHidden();
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1,
  });

  // Eleven files at once: ten go in the tray, the eleventh is named as left out.
  await chooseFiles(
    alice.page,
    Array.from({ length: MAX_ATTACHMENTS_PER_MESSAGE + 1 }, (_, i) => ({
      name: `part-${i + 1}.txt`,
      mimeType: 'text/plain',
      buffer: Buffer.from(`part ${i + 1}\n`),
    })),
  );
  const parts = tray(alice.page).getByTestId('upload');
  await expect(parts).toHaveCount(MAX_ATTACHMENTS_PER_MESSAGE);
  await expect(alice.page.getByRole('alert').filter({ hasText: 'At most 10 files' })).toHaveText(
    'At most 10 files per message: 1 was not added.',
  );
  await expect(parts.and(alice.page.locator('[data-state="done"]'))).toHaveCount(
    MAX_ATTACHMENTS_PER_MESSAGE,
  );
  await sendButton(alice.page).click();
  const last = messageLog(alice.page).getByTestId('message').last();
  await expect(last.getByRole('link', { name: /^Download part-\d+\.txt/ })).toHaveCount(
    MAX_ATTACHMENTS_PER_MESSAGE,
  );
  await expect(last.getByRole('img', { name: 'Sent' })).toBeVisible();
});

test('attachments 4. a file URL without signature or a member’s token is 404 to an outsider', async ({
  actor,
  request,
}) => {
  const alice = await actor('alice');
  const bob = await registerUser('bob');
  const eve = await registerUser('eve');
  await startDirectChat(alice.page, bob.username);
  await pasteImage(alice.page, 'private.png', 64, 48);
  await expect(tray(alice.page).getByTestId('upload')).toHaveAttribute('data-state', 'done');
  await sendButton(alice.page).click();
  await expect(
    messageLog(alice.page).getByTestId('message').last().getByRole('img', { name: 'Sent' }),
  ).toBeVisible();
  const conversationId = /#\/c\/([0-9a-f]{24})/.exec(alice.page.url())![1]!;
  const { items } = await bob.api.chat.messages.query({ conversationId });
  const image = items.find((m) => m.attachments.length > 0)!.attachments[0]!;
  const unsigned = `/files/${image.id}`;
  const exp = new URL(image.url, 'http://x').searchParams.get('exp')!;
  const eveAuth = { authorization: `Bearer ${await eve.accessToken()}` };

  const expectNotFound = async (url: string, headers: Record<string, string> = {}) => {
    const response = await request.get(url, { headers });
    expect(response.status(), url).toBe(404);
    const body = (await response.json()) as { error: { data: { code: string } } };
    expect(body.error.data.code).toBe('NOT_FOUND');
  };
  // No signature, no token; Eve's own token; a forged signature; the thumbnail's signature
  // on the file — all the same 404 as an id that doesn't exist.
  await expectNotFound(unsigned);
  await expectNotFound(`${unsigned}/thumbnail`);
  await expectNotFound(unsigned, eveAuth);
  await expectNotFound(`${unsigned}/thumbnail`, eveAuth);
  await expectNotFound(`${unsigned}?exp=${exp}&sig=${'A'.repeat(43)}`);
  await expectNotFound(`${unsigned}?${new URL(image.thumbnailUrl!, 'http://x').searchParams}`);
  await expectNotFound(`/files/${'0'.repeat(24)}`, {
    authorization: `Bearer ${await bob.accessToken()}`,
  });
  // Eve can't upload into their conversation either.
  const upload = await request.post(`/files?conversationId=${conversationId}&name=x.txt`, {
    headers: { ...eveAuth, 'content-type': 'text/plain' },
    data: Buffer.from('intruder'),
  });
  expect(upload.status()).toBe(404);

  // The same requests with the right credentials work, so the 404s above mean something.
  expect((await request.get(image.url)).status()).toBe(200);
  expect(
    (
      await request.get(unsigned, {
        headers: { authorization: `Bearer ${await bob.accessToken()}` },
      })
    ).status(),
  ).toBe(200);
});
