import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ServiceProcess } from '../support/process.js';
import { TestSystem, type TestUser } from '../support/system.js';
import { waitFor } from '../support/wait.js';

// examples/bot as its users run it (its own process, signed in with the SDK) against a
// system with two gateways: the bot on the first, people on the second, so the bot's
// gateway can go away while people keep writing.

describe('examples/bot', () => {
  let system: TestSystem;
  let bot: ServiceProcess;
  let botUser: TestUser;
  let human: TestUser;
  let conversationId: string;

  before(async () => {
    system = await TestSystem.start({ gateways: 2 });
    botUser = await system.user();
    human = await system.user({ url: system.urls[1]! });
    bot = new ServiceProcess('bot', ['--import', 'tsx', 'examples/bot/src/main.ts'], {
      CHAT_URL: system.urls[0]!,
      BOT_IDENTIFIER: botUser.username,
      BOT_PASSWORD: botUser.password,
    });
    bot.start();
    await waitFor('the bot to listen', () => bot.logs(400).includes('listening as'), 30_000);
    conversationId = (await human.client.api.chat.openDirect.mutate({ userId: botUser.id })).id;
  });
  after(async () => {
    await bot?.stop();
    await system.stop();
  });

  const say = (content: string) =>
    human.client.api.chat.send.mutate({ conversationId, clientId: randomUUID(), content });

  const botMessages = async () =>
    (await human.client.api.chat.messages.query({ conversationId, limit: 100 })).items.filter(
      (m) => m.senderId === botUser.id,
    );

  const answerTo = async (content: string) => {
    const asked = await say(content);
    return waitFor(
      `the bot's answer to “${content}”`,
      async () => (await botMessages()).find((m) => m.createdAt > asked.createdAt),
      20_000,
    ).catch((err: Error) => assert.fail(`${err.message}\nbot log:\n${bot.logs()}`));
  };

  test('answers /echo and /time, and reads what it answered', async () => {
    assert.equal((await answerTo('/echo hello bot')).content, 'hello bot');
    assert.match((await answerTo('/time')).content, /^It is \d{4}-\d\d-\d\dT/);
    await waitFor('the bot’s read receipts', async () => {
      const items = (await human.client.api.chat.messages.query({ conversationId, limit: 10 }))
        .items;
      const asked = items.filter((m) => m.senderId === human.id);
      return asked.length === 2 && asked.every((m) => m.status === 'read');
    });
  });

  test('after a typing event and a lost gateway, answers what was sent meanwhile, once', async () => {
    const before = (await botMessages()).length;
    // A live-only event last: tRPC's ws client alone would then resume with no id (a gap).
    await human.client.api.chat.typing.mutate({ conversationId, isTyping: true });
    await waitFor('the bot to see the typing event', () => bot.logs(400).includes('event typing'));

    const gateway = system.gateways[0]!;
    await gateway.stop();
    const missed = await say('/echo sent while you were away');
    gateway.start();
    await gateway.waitReady(system.readyUrl(gateway));

    await waitFor(
      'the answer to the message sent while the bot was disconnected',
      async () =>
        (await botMessages()).some(
          (m) => m.content === 'sent while you were away' && m.createdAt > missed.createdAt,
        ),
      30_000,
    ).catch((err: Error) => assert.fail(`${err.message}\nbot log:\n${bot.logs()}`));
    // Resumed after the last event, not from the start: nothing was answered twice.
    assert.equal((await botMessages()).length, before + 1);
    assert.equal(bot.exitStatus, null, 'the bot kept running');
  });
});
