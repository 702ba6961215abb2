import WebSocket from 'ws';
import { createChatClient } from '@chat/sdk';
import { startBot } from './bot.js';
import { readEnv } from './env.js';

// `CHAT_URL=… BOT_IDENTIFIER=… BOT_PASSWORD=… node dist/main.js`: signs in and answers
// `/echo <text>`, `/time` and mentions until Ctrl-C.
const env = readEnv();
const client = createChatClient({ url: env.CHAT_URL, WebSocket });
const session = await client.login({ identifier: env.BOT_IDENTIFIER, password: env.BOT_PASSWORD });
const bot = startBot(client, { id: session.user.id, username: session.user.username });

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    bot.stop();
    client.close();
    process.exit(0);
  });
