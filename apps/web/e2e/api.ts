import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { createChatClient, type ChatClient } from '@chat/sdk';

/** A user registered through the API, with the password (for signing in through the UI). */
export interface TestUser {
  id: string;
  username: string;
  displayName: string;
  email: string;
  password: string;
  /** The SDK's typed API, signed in as this user (its own session, not the browser's). */
  api: ChatClient['api'];
  /** That SDK session's access token (for plain HTTP requests such as `GET /files/…`). */
  accessToken: () => Promise<string | null>;
}

export function baseUrl(): string {
  const url = process.env.BASE_URL;
  if (!url) throw new Error('BASE_URL is not set: run the suite with `node tools/e2e.mjs`');
  return url.replace(/\/$/, '');
}

/** A username nobody else used, in this run or another: `prefix_` + 10 hex digits. */
export function uniqueUsername(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`.slice(0, 32);
}

/** Registers a fresh user through the SDK (fast; scenario 1 signs up through the UI). */
export async function registerUser(prefix: string): Promise<TestUser> {
  const username = uniqueUsername(prefix);
  const password = `pw-${randomBytes(6).toString('hex')}`;
  const email = `${username}@example.test`;
  // HTTP only: the WebSocket (Node 20 has none built in) opens lazily, on a first subscription.
  const client = createChatClient({ url: baseUrl(), WebSocket });
  const session = await client.register({ username, email, password });
  return {
    id: session.user.id,
    username,
    displayName: session.user.displayName,
    email,
    password,
    api: client.api,
    accessToken: () => client.sessions.accessToken(),
  };
}
