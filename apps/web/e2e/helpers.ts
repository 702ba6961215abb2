import { expect, type Locator, type Page } from '@playwright/test';

// Every locator uses the accessible names of issue 4 ("Accessible names"), so the suite
// checks them as a screen-reader user would meet them.

export const conversationList = (page: Page): Locator =>
  page.getByRole('navigation', { name: 'Conversations' });

export const messageLog = (page: Page): Locator => page.getByRole('log', { name: 'Messages' });

export const composer = (page: Page): Locator => page.getByRole('textbox', { name: 'Message' });

/** The connection notice ("Reconnecting…"): a `status` region, empty while connected. */
export const connectionNotice = (page: Page): Locator =>
  page.getByRole('status').filter({ hasText: /reconnect|offline/i });

/** The messages in the open chat whose text contains `text`. */
export const messagesWith = (page: Page, text: string): Locator =>
  messageLog(page).getByTestId('message').filter({ hasText: text });

/** A conversation's row (a link) in the list, by the other person's or the group's name. */
export const conversationLink = (page: Page, name: string): Locator =>
  conversationList(page).getByRole('link', { name: new RegExp(escapeRegExp(name)) });

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function signInThroughUi(page: Page, identifier: string, password: string) {
  await page.goto('/');
  await page.getByLabel('Username or email').fill(identifier);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** "New chat" → "Search people" → the person → the chat opens. */
export async function startDirectChat(page: Page, username: string) {
  await page.getByRole('button', { name: 'New chat' }).click();
  const dialog = page.getByRole('dialog', { name: 'New chat' });
  await dialog.getByLabel('Search people').fill(username);
  await dialog.getByRole('button', { name: new RegExp(`@${escapeRegExp(username)}\\b`) }).click();
  await expect(dialog).toBeHidden();
  await expect(messageLog(page)).toBeVisible();
}

/** "New group" → "Group name", members picked by search → "Create group"; the chat opens. */
export async function createGroup(page: Page, name: string, usernames: string[]) {
  await page.getByRole('button', { name: 'New group' }).click();
  const dialog = page.getByRole('dialog', { name: 'New group' });
  await dialog.getByLabel('Group name').fill(name);
  for (const username of usernames) {
    await dialog.getByRole('searchbox').fill(username);
    await dialog.getByRole('button', { name: new RegExp(`@${escapeRegExp(username)}\\b`) }).click();
  }
  await dialog.getByRole('button', { name: 'Create group' }).click();
  await expect(dialog).toBeHidden();
  await expect(messageLog(page)).toBeVisible();
}

/** Opens a conversation from the list and waits for its messages. */
export async function openChat(page: Page, name: string) {
  await conversationLink(page, name).click();
  await expect(messageLog(page)).toBeVisible();
  await expect(messageLog(page)).not.toHaveAttribute('aria-busy', 'true');
}

/** Types into "Message" and presses "Send"; waits for the local echo. */
export async function sendMessage(page: Page, text: string) {
  await composer(page).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(messagesWith(page, text).last()).toBeVisible();
  await expect(composer(page)).toHaveValue('');
}

/** The delivery state icon of my newest message containing `text`. */
export const messageState = (page: Page, text: string, state: string): Locator =>
  messagesWith(page, text).last().getByRole('img', { name: state, exact: true });
