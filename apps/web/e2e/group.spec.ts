import { expect, test } from './fixtures';
import {
  composer,
  conversationLink,
  createGroup,
  messageLog,
  messagesWith,
  openChat,
  sendMessage,
} from './helpers';

test('3. a group of three: an admin removes a member, who no longer sees new messages', async ({
  actor,
}) => {
  const alice = await actor('alice');
  const bob = await actor('bob');
  const carol = await actor('carol');
  const groupName = `Trip ${Date.now().toString(36)}`;

  // Alice creates the group with Bob and Carol; both see it appear live and read along.
  await createGroup(alice.page, groupName, [bob.user.username, carol.user.username]);
  await sendMessage(alice.page, 'Welcome, both of you');
  for (const member of [bob, carol]) {
    await openChat(member.page, groupName);
    await expect(messagesWith(member.page, 'Welcome, both of you')).toHaveCount(1);
  }
  await sendMessage(carol.page, 'Hello from Carol');
  await expect(messagesWith(bob.page, 'Hello from Carol')).toHaveCount(1);
  await expect(messagesWith(alice.page, 'Hello from Carol')).toHaveCount(1);

  // The owner makes Bob an admin; Bob removes Carol.
  await alice.page.getByRole('button', { name: 'Group info' }).click();
  const aliceInfo = alice.page.getByRole('dialog', { name: groupName });
  await aliceInfo
    .getByRole('button', { name: `Make admin: ${bob.user.displayName}`, exact: true })
    .click();
  await expect(
    aliceInfo.getByRole('button', { name: `Make member: ${bob.user.displayName}`, exact: true }),
  ).toBeVisible();
  await aliceInfo.getByRole('button', { name: 'Close' }).click();

  await bob.page.getByRole('button', { name: 'Group info' }).click();
  const bobInfo = bob.page.getByRole('dialog', { name: groupName });
  const removeCarol = bobInfo.getByRole('button', {
    name: `Remove ${carol.user.displayName} from the group`,
    exact: true,
  });
  await removeCarol.click();
  await expect(removeCarol).toBeHidden();
  await expect(bobInfo.getByText(carol.user.displayName)).toBeHidden();
  await bobInfo.getByRole('button', { name: 'Close' }).click();

  // Carol's open chat learns it live: no composer any more.
  await expect(composer(carol.page)).toBeHidden();

  // New messages reach Alice and Bob, never Carol — not live, not after a reload.
  await sendMessage(alice.page, 'Just the two of us now');
  await sendMessage(bob.page, 'Indeed');
  await expect(messagesWith(bob.page, 'Just the two of us now')).toHaveCount(1);
  await expect(messagesWith(alice.page, 'Indeed')).toHaveCount(1);
  await expect(carol.page.getByText('Just the two of us now')).toHaveCount(0);
  await expect(carol.page.getByText('Indeed')).toHaveCount(0);

  await carol.page.reload();
  await expect(carol.page.getByRole('navigation', { name: 'Conversations' })).toBeVisible();
  await expect(carol.page.getByText(/no longer a member|not available/i)).toBeVisible();
  await expect(carol.page.getByText('Just the two of us now')).toHaveCount(0);
  await expect(carol.page.getByText('Indeed')).toHaveCount(0);
  await expect(composer(carol.page)).toBeHidden();
  // From the list (if the group is still listed for her) it is the same.
  await carol.page.goto('/');
  await expect(carol.page.getByText(/No conversation selected/i)).toBeVisible();
  if ((await conversationLink(carol.page, groupName).count()) > 0) {
    await conversationLink(carol.page, groupName).click();
    await expect(carol.page.getByText(/no longer a member|not available/i)).toBeVisible();
    await expect(messageLog(carol.page).getByText('Just the two of us now')).toHaveCount(0);
  }
  await expect(carol.page.getByText('Just the two of us now')).toHaveCount(0);
  await expect(carol.page.getByText('Indeed')).toHaveCount(0);
});
