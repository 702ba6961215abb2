import { uniqueUsername } from './api';
import { expect, test } from './fixtures';
import { conversationList, signInThroughUi } from './helpers';

test.describe('1. accounts', () => {
  test('sign up, stay signed in across a reload, sign out, sign in by username and by email', async ({
    newPage,
  }) => {
    const username = uniqueUsername('newbie');
    const email = `${username}@example.test`;
    const password = 'correct horse battery';

    const page = await newPage();
    await page.goto('/');
    // The app opens on sign-in; sign-up is one switch away.
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(conversationList(page)).toBeVisible();

    // Stay signed in across a reload (and a fresh navigation).
    await page.reload();
    await expect(conversationList(page)).toBeVisible();
    await page.goto('/');
    await expect(conversationList(page)).toBeVisible();

    // A second device signs in with the email while the first stays signed in.
    const other = await newPage();
    await signInThroughUi(other, email, password);
    await expect(conversationList(other)).toBeVisible();

    // Sign out: back to the sign-in form, and a reload does not bring the session back.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
    await expect(conversationList(page)).toBeHidden();
    await page.reload();
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
    await expect(conversationList(page)).toBeHidden();

    // The other device was not signed out by this one.
    await other.reload();
    await expect(conversationList(other)).toBeVisible();

    // A wrong password is refused with a visible message, and no session.
    await signInThroughUi(page, username, 'not the password');
    await expect(page.getByRole('alert')).toBeVisible();
    await expect(conversationList(page)).toBeHidden();

    // Sign in again with the username.
    await signInThroughUi(page, username, password);
    await expect(conversationList(page)).toBeVisible();
    await page.reload();
    await expect(conversationList(page)).toBeVisible();
  });

  test('a taken username is refused on sign-up', async ({ page, actor }) => {
    const { user } = await actor('taken');
    await page.goto('/');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Email').fill(`other_${user.email}`);
    await page.getByLabel('Password').fill('another password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByText(/taken|already/i)).toBeVisible();
    await expect(conversationList(page)).toBeHidden();
  });
});
