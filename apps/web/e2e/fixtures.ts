import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import { registerUser, type TestUser } from './api';
import { conversationList, signInThroughUi } from './helpers';

/** A user with a browser context of their own, signed in and showing the conversation list. */
export interface Actor {
  user: TestUser;
  context: BrowserContext;
  page: Page;
}

interface Fixtures {
  /** A page in a new browser context (closed after the test). */
  newPage: () => Promise<Page>;
  /** Opens a new context signed in as `user` (another device, or the same user coming back). */
  signIn: (user: TestUser) => Promise<Actor>;
  /** Registers a user through the API and signs them in, in a new browser context. */
  actor: (prefix: string) => Promise<Actor>;
}

export const test = base.extend<Fixtures>({
  newPage: async ({ browser }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async () => {
      const context = await browser.newContext();
      contexts.push(context);
      return context.newPage();
    });
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
  },
  signIn: async ({ newPage }, use) => {
    await use(async (user) => {
      const page = await newPage();
      await signInThroughUi(page, user.username, user.password);
      await expect(conversationList(page)).toBeVisible();
      return { user, context: page.context(), page };
    });
  },
  actor: async ({ signIn }, use) => {
    await use(async (prefix) => signIn(await registerUser(prefix)));
  },
});

export { expect };
