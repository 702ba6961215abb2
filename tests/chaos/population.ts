import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { createChatClient, type ChatClient } from '@chat/sdk';
import { EventFeed } from './event-feed.js';
import type { Ledger } from './ledger.js';
import { Outbox } from './outbox.js';

/** One simulated person: an SDK client for calls, a hand-held event stream, an outbox. */
export interface ChaosUser {
  index: number;
  id: string;
  client: ChatClient;
  feed: EventFeed;
  outbox: Outbox;
  /** Their DM first, then their groups. */
  conversations: string[];
  /** Conversation → id of the newest message.new received there (what markRead names). */
  newest: Map<string, string>;
}

const GROUP_SIZE = 5;
const GROUPS = 2;

/**
 * Signs up `count` users; pairs them in DMs (0–1, 2–3, …; an odd last one joins user 0) and
 * puts the first ten into two groups of five. Every user's stream is online.
 */
export async function createPopulation(
  url: string,
  count: number,
  ledger: Ledger,
): Promise<ChaosUser[]> {
  const run = randomBytes(3).toString('hex');
  const users: ChaosUser[] = [];
  for (let start = 0; start < count; start += 8) {
    const batch = Array.from({ length: Math.min(8, count - start) }, (_, k) => start + k);
    users.push(...(await Promise.all(batch.map((i) => signUp(url, run, i, ledger)))));
  }

  // Online before the conversations exist: their conversation.updated events give every
  // stream a position to resume from (without one, a reconnect starts from "now").
  for (const user of users) user.feed.goOnline();
  const deadline = Date.now() + 30_000;
  while (!users.every((u) => u.feed.live)) {
    if (Date.now() > deadline) throw new Error('streams did not go live within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 500)); // `started` comes a moment before the feed reads
  const addConversation = (id: string, members: ChaosUser[]) => {
    ledger.conversations.set(
      id,
      members.map((m) => m.id),
    );
    for (const m of members) m.conversations.push(id);
  };
  for (let i = 0; i + 1 < count; i += 2) {
    const a = users[i]!;
    const b = users[i + 1]!;
    addConversation((await a.client.api.chat.openDirect.mutate({ userId: b.id })).id, [a, b]);
  }
  if (count % 2 === 1 && count > 1) {
    const last = users[count - 1]!;
    const first = users[0]!;
    addConversation((await last.client.api.chat.openDirect.mutate({ userId: first.id })).id, [
      last,
      first,
    ]);
  }
  for (let g = 0; g < GROUPS && (g + 1) * GROUP_SIZE <= count; g++) {
    const members = users.slice(g * GROUP_SIZE, (g + 1) * GROUP_SIZE);
    const group = await members[0]!.client.api.group.create.mutate({
      name: `chaos group ${g + 1}`,
      memberIds: members.slice(1).map((m) => m.id),
    });
    addConversation(group.conversationId, members);
  }

  return users;
}

async function signUp(url: string, run: string, index: number, ledger: Ledger): Promise<ChaosUser> {
  const client = createChatClient({ url, WebSocket });
  const username = `chaos_${run}_${index}`;
  const session = await client.register({
    username,
    email: `${username}@example.test`,
    password: `pw-${run}-${index}-secret`,
  });
  const id = session.user.id;
  const newest = new Map<string, string>();
  const feed = new EventFeed({
    url,
    token: async () => {
      const s = client.session;
      // The SDK refreshes before expiry on its own timer; a socket opened late must not lag.
      if (s && Date.parse(s.accessTokenExpiresAt) - Date.now() < 60_000) await client.refresh();
      return client.session?.accessToken ?? null;
    },
    refresh: () => client.refresh(),
    onItem: (item) => {
      ledger.event(id, item.id, item.event);
      const message = item.event.type === 'message.new' ? item.event.message : undefined;
      if (message) newest.set(message.conversationId, message.id);
    },
    onError: (code) => ledger.error('stream', code),
    onTrace: (line) => ledger.trace(id, line),
  });
  return {
    index,
    id,
    client,
    feed,
    outbox: new Outbox(id, client, ledger),
    conversations: [],
    newest,
  };
}
