import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileChooser, Locator, Page } from '@playwright/test';
import { messageLog } from './helpers';

/** A valid one-page PDF of 583 bytes. */
export const PDF = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/tiny.pdf');

export const tray = (page: Page): Locator => page.getByRole('list', { name: 'Files to send' });
export const sendButton = (page: Page): Locator => page.getByRole('button', { name: 'Send' });

/** A PNG drawn in the page (canvas.toBlob), pasted into the message box as a screenshot would be. */
export async function pasteImage(page: Page, name: string, width: number, height: number) {
  await page.locator('#composer').evaluate(
    async (field, { name, width, height }) => {
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      const ctx = canvas.getContext('2d')!;
      const gradient = ctx.createLinearGradient(0, 0, width, height);
      gradient.addColorStop(0, '#4f46e5');
      gradient.addColorStop(1, '#f59e0b');
      ctx.fillStyle = gradient;
      ctx.fillRect(0, 0, width, height);
      const blob = await new Promise<Blob>((resolve, reject) =>
        canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('toBlob failed'))), 'image/png'),
      );
      const data = new DataTransfer();
      data.items.add(new File([blob], name, { type: 'image/png' }));
      field.focus();
      field.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
      );
    },
    { name, width, height },
  );
}

/** Files dragged from the desktop and dropped on the message log. */
export async function dropFiles(page: Page, files: { name: string; type: string; text: string }[]) {
  await messageLog(page).evaluate((target, files) => {
    const data = new DataTransfer();
    for (const f of files) data.items.add(new File([f.text], f.name, { type: f.type }));
    for (const type of ['dragenter', 'dragover', 'drop'])
      target.dispatchEvent(
        new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }),
      );
  }, files);
}

/** "Attach files" → the system file chooser → these files. */
export async function chooseFiles(page: Page, files: Parameters<FileChooser['setFiles']>[0]) {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Attach files' }).click();
  await (await chooser).setFiles(files);
}
