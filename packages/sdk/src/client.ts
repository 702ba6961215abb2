import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  splitLink,
  wsLink,
  type TRPCClient,
} from '@trpc/client';
import type { AppRouter, RouterInputs } from '@chat/api';
import { isUnauthorized, refreshOnUnauthorizedLink } from './refresh-link.js';
import { expiresWithin, toStored, type Session, type StoredSession } from './session.js';
import { createStreamPosition } from './stream-position.js';

/** The gateway's default MAX_BATCH_SIZE: bigger batches are split into several requests. */
const MAX_BATCH_ITEMS = 50;

export interface ChatClientOptions {
  /** Gateway base URL, e.g. `http://127.0.0.1:4000` (`/trpc` is appended). */
  url: string;
  /** A session from an earlier run, to resume without signing in. */
  session?: StoredSession | null;
  /** Called whenever tokens change or the session ends (null): persist it here. */
  onSessionChange?: (session: StoredSession | null) => void;
  /** WebSocket implementation; browsers have one, in Node pass `ws`'s. */
  WebSocket?: unknown;
  fetch?: typeof fetch;
  /** Refresh the access token this long before it expires. Default 60 s. */
  refreshMarginMs?: number;
  /** Extra headers for HTTP calls (e.g. x-request-id in tests). */
  headers?: () => Record<string, string>;
}

export interface ChatClient {
  /** The typed tRPC client: `client.api.user.me.query()`. */
  api: TRPCClient<AppRouter>;
  readonly session: StoredSession | null;
  register(input: RouterInputs['auth']['register']): Promise<Session>;
  login(input: RouterInputs['auth']['login']): Promise<Session>;
  /** Ends this login on the server and forgets the tokens. */
  logout(): Promise<void>;
  /** Rotates the tokens now; false (and signed out) if the server refused. */
  refresh(): Promise<boolean>;
  /** Closes the WebSocket and timers. */
  close(): void;
}

/**
 * A typed client for Node and browsers: HTTP (batched) for calls, one lazy
 * WebSocket for subscriptions, and silent token refresh — before expiry, on an
 * UNAUTHORIZED answer, and when the socket reconnects (the server closes it
 * with 4001 when the token expires).
 */
export function createChatClient(options: ChatClientOptions): ChatClient {
  const base = options.url.replace(/\/+$/, '');
  const margin = options.refreshMarginMs ?? 60_000;
  let session = options.session ?? null;
  let refreshing: Promise<boolean> | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const setSession = (next: StoredSession | null) => {
    session = next;
    schedule();
    options.onSessionChange?.(next);
  };

  function schedule() {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!session) return;
    const delay = Math.max(1_000, Date.parse(session.accessTokenExpiresAt) - Date.now() - margin);
    timer = setTimeout(() => void refresh(), Math.min(delay, 2 ** 31 - 1));
    (timer as { unref?: () => void }).unref?.();
  }

  /** Single-flight: concurrent callers share one rotation (a second would look like reuse). */
  function refresh(): Promise<boolean> {
    refreshing ??= (async () => {
      const current = session;
      if (!current) return false;
      try {
        const tokens = await authApi.auth.refresh.mutate({ refreshToken: current.refreshToken });
        // logout() or login() ran meanwhile: their session wins, this rotation is stale.
        if (session !== current) return session !== null;
        setSession(toStored(current.userId, tokens));
        return true;
      } catch (err) {
        if (session !== current) return session !== null;
        if (isUnauthorized(err)) setSession(null);
        return false;
      }
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  async function freshAccessToken(): Promise<string | null> {
    if (session && expiresWithin(session, margin)) await refresh();
    return session?.accessToken ?? null;
  }

  const httpUrl = `${base}/trpc`;
  const wsUrl = httpUrl.replace(/^http/, 'ws');
  const fetchImpl = options.fetch;

  // Auth calls go through their own plain client so refreshing never recurses into itself.
  const authApi = createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: httpUrl,
        maxItems: MAX_BATCH_ITEMS,
        ...(fetchImpl ? { fetch: fetchImpl } : {}),
        headers: () => options.headers?.() ?? {},
      }),
    ],
  });

  // One client, one user: `events.stream` resumes from the last tracked event it saw.
  const position = createStreamPosition();
  const wsClient = createWSClient({
    url: wsUrl,
    experimental_encoder: position.encoder,
    ...(options.WebSocket ? { WebSocket: options.WebSocket as typeof WebSocket } : {}),
    lazy: { enabled: true, closeMs: 10_000 },
    retryDelayMs: (attempt) => Math.min(500 * 2 ** attempt, 10_000) * (0.5 + Math.random() / 2),
    connectionParams: async () => ({ token: (await freshAccessToken()) ?? '' }),
  });

  const api = createTRPCClient<AppRouter>({
    links: [
      refreshOnUnauthorizedLink(refresh),
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: wsLink({ client: wsClient }),
        false: httpBatchLink({
          url: httpUrl,
          maxItems: MAX_BATCH_ITEMS,
          ...(fetchImpl ? { fetch: fetchImpl } : {}),
          async headers() {
            const token = await freshAccessToken();
            return {
              ...(options.headers?.() ?? {}),
              ...(token ? { authorization: `Bearer ${token}` } : {}),
            };
          },
        }),
      }),
    ],
  });

  schedule();

  return {
    api,
    get session() {
      return session;
    },
    async register(input) {
      const s = await authApi.auth.register.mutate(input);
      setSession(toStored(s.user.id, s));
      return s;
    },
    async login(input) {
      const s = await authApi.auth.login.mutate(input);
      setSession(toStored(s.user.id, s));
      return s;
    },
    async logout() {
      const current = session;
      setSession(null);
      position.reset();
      if (current)
        await authApi.auth.logout
          .mutate({ refreshToken: current.refreshToken })
          .catch(() => undefined);
    },
    refresh,
    close() {
      if (timer) clearTimeout(timer);
      void wsClient.close();
    },
  };
}
