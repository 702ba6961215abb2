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

test('2. two users chat in real time: typing, then delivered and read on the sender’s screen', async ({
  actor,
}) => {
  const alice = await actor('alice');
  const bob = await actor('bob');

  // Alice starts the chat and writes; Bob is online but has not opened it yet.
  await startDirectChat(alice.page, bob.user.username);
  await sendMessage(alice.page, 'Hi Bob, are you there?');
  await expect(messageState(alice.page, 'Hi Bob', 'Delivered')).toBeVisible();
  // The conversation reached Bob's list live (no reload), unread.
  await expect(conversationLink(bob.page, alice.user.displayName)).toContainText(
    'Hi Bob, are you there?',
  );
  await expect(messageState(alice.page, 'Hi Bob', 'Read')).toBeHidden();

  // Bob opens it: Alice's message flips to "Read" on her screen.
  await openChat(bob.page, alice.user.displayName);
  await expect(messagesWith(bob.page, 'Hi Bob, are you there?')).toHaveCount(1);
  await expect(messageState(alice.page, 'Hi Bob', 'Read')).toBeVisible();

  // Bob types: Alice sees it; Bob stops and sends: the indicator goes, the message arrives.
  const typing = alice.page.getByText(new RegExp(`${bob.user.displayName} is typing`));
  await composer(bob.page).pressSequentially('Yes! Just', { delay: 30 });
  await expect(typing).toBeVisible();
  await composer(bob.page).pressSequentially(' got here.', { delay: 30 });
  await composer(bob.page).press('Enter');
  await expect(messagesWith(alice.page, 'Yes! Just got here.')).toHaveCount(1);
  await expect(typing).toBeHidden();
  // Alice has the chat open at the bottom: Bob's reply is read at once.
  await expect(messageState(bob.page, 'Yes! Just got here.', 'Read')).toBeVisible();

  // Shift+Enter is a new line, Enter sends; the message shows once on both screens.
  await composer(alice.page).pressSequentially('line one');
  await composer(alice.page).press('Shift+Enter');
  await composer(alice.page).pressSequentially('line two');
  await composer(alice.page).press('Enter');
  await expect(messagesWith(bob.page, 'line one')).toHaveCount(1);
  await expect(messagesWith(bob.page, 'line one')).toContainText('line two');
  await expect(messagesWith(alice.page, 'line one')).toHaveCount(1);
  await expect(messageState(alice.page, 'line one', 'Read')).toBeVisible();
  await expect(messageLog(alice.page).getByTestId('message')).toHaveCount(3);
  await expect(messageLog(bob.page).getByTestId('message')).toHaveCount(3);
});

test('2b. a lost answer and a failed send: Retry with the same clientId, never a duplicate', async ({
  actor,
}) => {
  const alice = await actor('alice');
  const bob = await actor('bob');
  await startDirectChat(alice.page, bob.user.username);
  await sendMessage(alice.page, 'warm-up');
  await openChat(bob.page, alice.user.displayName);
  await expect(messagesWith(bob.page, 'warm-up')).toHaveCount(1);

  // chat.send over HTTP: 'lose-answer' lets it reach the server and drops the answer;
  // 'fail' drops the request itself; 'pass' lets it through.
  let mode: 'lose-answer' | 'fail' | 'pass' = 'lose-answer';
  const clientIds: string[] = [];
  await alice.page.route(
    (url) => url.pathname.startsWith('/trpc/') && url.pathname.includes('chat.send'),
    async (route) => {
      clientIds.push(/"clientId":"([^"]+)"/.exec(route.request().postData() ?? '')?.[1] ?? '?');
      if (mode === 'fail') return route.abort('connectionreset');
      const response = await route.fetch();
      if (mode === 'lose-answer') return route.abort('connectionreset');
      return route.fulfill({ response });
    },
  );

  // The answer is lost, but the message is stored: it shows once, on both sides.
  await composer(alice.page).fill('answer lost');
  await composer(alice.page).press('Enter');
  await expect(messageState(alice.page, 'answer lost', 'Read')).toBeVisible();
  await expect(messagesWith(bob.page, 'answer lost')).toHaveCount(1);
  await expect(messagesWith(alice.page, 'answer lost')).toHaveCount(1);

  // The request fails: "Not sent" with Retry; Retry sends it with the same clientId.
  mode = 'fail';
  clientIds.length = 0;
  await composer(alice.page).fill('exactly once, please');
  await composer(alice.page).press('Enter');
  const mine = messagesWith(alice.page, 'exactly once, please');
  const retry = mine.getByRole('button', { name: 'Retry' });
  await expect(retry).toBeVisible();
  await expect(messagesWith(bob.page, 'exactly once, please')).toHaveCount(0);
  mode = 'pass';
  // (An automatic resend may beat the click: either way the same clientId is sent.)
  await retry.click({ timeout: 3_000 }).catch(() => undefined);
  await expect(messageState(alice.page, 'exactly once, please', 'Read')).toBeVisible();
  await expect(mine).toHaveCount(1);
  await expect(messagesWith(bob.page, 'exactly once, please')).toHaveCount(1);
  expect(clientIds.length).toBeGreaterThanOrEqual(2);
  expect(new Set(clientIds).size).toBe(1);

  // After a reload, still exactly one of each on both sides.
  for (const page of [alice.page, bob.page]) {
    await page.reload();
    await expect(messagesWith(page, 'answer lost')).toHaveCount(1);
    await expect(messagesWith(page, 'exactly once, please')).toHaveCount(1);
    await expect(messageLog(page).getByTestId('message')).toHaveCount(3);
  }
});

test('2c. the local echo shows “Sending” before the server answers', async ({ actor }) => {
  const alice = await actor('alice');
  const bob = await actor('bob');
  await startDirectChat(alice.page, bob.user.username);

  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  await alice.page.route(
    (url) => url.pathname.startsWith('/trpc/') && url.pathname.includes('chat.send'),
    async (route) => {
      await held;
      await route.continue();
    },
  );
  await composer(alice.page).fill('patience');
  await composer(alice.page).press('Enter');
  await expect(messageState(alice.page, 'patience', 'Sending')).toBeVisible();
  await expect(messagesWith(bob.page, 'patience')).toHaveCount(0);
  release();
  await expect(messageState(alice.page, 'patience', 'Delivered')).toBeVisible();
  await expect(messagesWith(alice.page, 'patience')).toHaveCount(1);
});
