import { expect, test } from './fixtures';
import {
  connectionNotice,
  conversationLink,
  messageLog,
  messagesWith,
  openChat,
  sendMessage,
  startDirectChat,
} from './helpers';

const missed = ['missed 1', 'missed 2', 'missed 3', 'missed 4'];

test.describe('5. the recipient goes offline and comes back', () => {
  test('network cut (context.setOffline): “Reconnecting…”, then exactly the missed messages, once', async ({
    actor,
  }) => {
    const alice = await actor('alice');
    const bob = await actor('bob');
    await startDirectChat(alice.page, bob.user.username);
    await sendMessage(alice.page, 'before the cut');
    await openChat(bob.page, alice.user.displayName);
    await expect(messagesWith(bob.page, 'before the cut')).toHaveCount(1);
    await expect(connectionNotice(bob.page)).toHaveCount(0);

    await bob.context.setOffline(true);
    await expect(connectionNotice(bob.page)).toBeVisible();

    for (const text of missed) await sendMessage(alice.page, text);
    // Nothing reaches Bob while he is offline; Alice's messages are sent, not delivered.
    await expect(
      messagesWith(alice.page, 'missed 4').getByRole('img', { name: 'Sent' }),
    ).toBeVisible();
    await expect(messagesWith(bob.page, 'missed 1')).toHaveCount(0);

    await bob.context.setOffline(false);
    await expect(connectionNotice(bob.page)).toHaveCount(0, { timeout: 20_000 });
    for (const text of missed) await expect(messagesWith(bob.page, text)).toHaveCount(1);
    await expect(messagesWith(bob.page, 'before the cut')).toHaveCount(1);
    await expect(messageLog(bob.page).getByTestId('message')).toHaveCount(1 + missed.length);
    // Bob has the chat open: Alice sees them read.
    await expect(
      messagesWith(alice.page, 'missed 4').getByRole('img', { name: 'Read' }),
    ).toBeVisible();

    // Still live afterwards, still no duplicate.
    await sendMessage(alice.page, 'after the cut');
    await expect(messagesWith(bob.page, 'after the cut')).toHaveCount(1);
    await expect(messageLog(bob.page).getByTestId('message')).toHaveCount(2 + missed.length);
  });

  test('context closed: signing in again shows exactly the missed messages, once', async ({
    actor,
    signIn,
  }) => {
    const alice = await actor('alice');
    const bob = await actor('bob');
    await startDirectChat(alice.page, bob.user.username);
    await sendMessage(alice.page, 'before leaving');
    await expect(conversationLink(bob.page, alice.user.displayName)).toContainText(
      'before leaving',
    );
    await bob.context.close();

    for (const text of missed) await sendMessage(alice.page, text);
    await expect(
      messagesWith(alice.page, 'missed 4').getByRole('img', { name: 'Sent' }),
    ).toBeVisible();

    const back = await signIn(bob.user);
    const link = conversationLink(back.page, alice.user.displayName);
    await expect(link).toContainText('missed 4');
    await expect(link).toHaveAccessibleName(/\b5 unread\b/);
    await openChat(back.page, alice.user.displayName);
    for (const text of [...missed, 'before leaving'])
      await expect(messagesWith(back.page, text)).toHaveCount(1);
    await expect(messageLog(back.page).getByTestId('message')).toHaveCount(1 + missed.length);
    await expect(
      messagesWith(alice.page, 'missed 4').getByRole('img', { name: 'Read' }),
    ).toBeVisible();
  });
});
