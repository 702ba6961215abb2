import { randomBytes } from 'node:crypto';

/** What `auth.register` returns, plus the password (for signing in through the UI). */
export interface TestUser {
  id: string;
  username: string;
  displayName: string;
  email: string;
  password: string;
  accessToken: string;
}

interface Session {
  user: { id: string; username: string; displayName: string; email: string };
  accessToken: string;
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

/** A plain tRPC call over HTTP (no transformer: JSON in, `result.data` out). */
export async function call<T>(
  procedure: string,
  input: unknown,
  { token, kind = 'mutation' }: { token?: string; kind?: 'query' | 'mutation' } = {},
): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const url =
    kind === 'query'
      ? `${baseUrl()}/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`
      : `${baseUrl()}/trpc/${procedure}`;
  const res = await fetch(url, {
    method: kind === 'query' ? 'GET' : 'POST',
    headers,
    ...(kind === 'mutation' && { body: JSON.stringify(input) }),
  });
  const body = (await res.json().catch(() => null)) as {
    result?: { data: T };
    error?: { message?: string; data?: { code?: string } };
  } | null;
  if (!res.ok || !body?.result) {
    const why = body?.error ? `${body.error.data?.code}: ${body.error.message}` : res.statusText;
    throw new Error(`${procedure} failed (HTTP ${res.status}) ${why}`);
  }
  return body.result.data;
}

/** Registers a fresh user through the API (fast; scenario 1 signs up through the UI). */
export async function registerUser(prefix: string): Promise<TestUser> {
  const username = uniqueUsername(prefix);
  const password = `pw-${randomBytes(6).toString('hex')}`;
  const email = `${username}@example.test`;
  const session = await call<Session>('auth.register', { username, email, password });
  return {
    id: session.user.id,
    username,
    displayName: session.user.displayName,
    email,
    password,
    accessToken: session.accessToken,
  };
}
