import { eventOf, type ChatClient, type Message } from '@chat/sdk';
import { answerTo } from './commands.js';
import { replyClientId } from './reply-id.js';

export interface BotIdentity {
  id: string;
  username: string;
}

export interface Bot {
  stop(): void;
}

/**
 * Listens on `events.stream` and answers the messages addressed to it. After a disconnect
 * the SDK resumes the stream after the last tracked event (also when live-only events such
 * as typing came last), so a message sent meanwhile is answered, once.
 */
export function startBot(
  client: ChatClient,
  me: BotIdentity,
  log: (line: string) => void = console.log,
): Bot {
  const answer = async (message: Message) => {
    const reply = answerTo(message.content, me.username, new Date());
    if (reply === null) return;
    await client.api.chat.send.mutate({
      conversationId: message.conversationId,
      clientId: replyClientId(me.id, message.id),
      content: reply,
    });
    await client.api.chat.markRead.mutate({
      conversationId: message.conversationId,
      upToMessageId: message.id,
    });
    log(`answered ${message.id}`);
  };

  const subscription = client.api.events.stream.subscribe(undefined, {
    onStarted: () => log(`listening as @${me.username}`),
    onData(item) {
      const event = eventOf(item);
      log(`event ${event.type}`);
      if (event.type !== 'message.new' || event.message.senderId === me.id) return;
      answer(event.message).catch((err: unknown) =>
        log(`could not answer ${event.message.id}: ${(err as Error).message}`),
      );
    },
    onError: (err) => log(`stream error: ${err.message}`),
  });
  return { stop: () => subscription.unsubscribe() };
}
