import { createTRPCClient, type TRPCClient } from '@trpc/client';
import type { AppRouter, Attachment, RouterInputs } from '@chat/api';
import { uploadFile, type UploadBody, type UploadOptions } from './files/upload.js';
import { chatLinks } from './links.js';
import { createAuthApi } from './session/auth-calls.js';
import { createSessionManager, type SessionManager } from './session/session-manager.js';
import { memoryStorage, type SessionStorage } from './session/session-storage.js';
import { toStored, type Session, type StoredSession } from './session/stored-session.js';
import { createChatWsClient } from './ws-client.js';

export interface ChatClientOptions {
  /** Gateway base URL, e.g. `http://127.0.0.1:4000` (`/trpc` is appended). */
  url: string;
  /** A session from an earlier run, to resume without signing in. */
  session?: StoredSession | null;
  /** Where the session lives (e.g. `webStorage(...)`); in memory by default. */
  storage?: SessionStorage;
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
  readonly sessions: SessionManager;
  /** The last tracked `events.stream` id seen (where a reconnect resumes). */
  readonly lastEventId: string | undefined;
  register(input: RouterInputs['auth']['register']): Promise<Session>;
  login(input: RouterInputs['auth']['login']): Promise<Session>;
  /** Ends this login on the server and forgets the tokens. */
  logout(): Promise<void>;
  /** Rotates the tokens now; false if the server refused (signed out) or was unreachable. */
  refresh(): Promise<boolean>;
  /** Files: `chat.upload(conversationId, body, { name })` → the Attachment for `chat.send`. */
  chat: {
    upload(conversationId: string, body: UploadBody, options?: UploadOptions): Promise<Attachment>;
  };
  /** An attachment's `url`/`thumbnailUrl` (relative to the gateway) as an absolute URL. */
  fileUrl(path: string): string;
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
  const httpUrl = `${options.url.replace(/\/+$/, '')}/trpc`;
  const http = { url: httpUrl, fetch: options.fetch, headers: options.headers };
  const margin = options.refreshMarginMs ?? 60_000;
  const auth = createAuthApi(http);
  const sessions = createSessionManager({
    auth,
    storage: options.storage ?? memoryStorage(options.session ?? null),
    refreshMarginMs: margin,
  });
  let timer: ReturnType<typeof setTimeout> | null = null;

  const refresh = () =>
    sessions.refresh().then(
      (s) => s !== null,
      () => false,
    );

  /** Rotates a while before expiry, so calls rarely wait for a refresh. */
  function schedule() {
    if (timer) clearTimeout(timer);
    timer = null;
    const session = sessions.get();
    if (!session) return;
    const delay = Math.max(1_000, Date.parse(session.accessTokenExpiresAt) - Date.now() - margin);
    timer = setTimeout(() => void refresh(), Math.min(delay, 2 ** 31 - 1));
    (timer as { unref?: () => void }).unref?.();
  }
  const unsubscribe = sessions.subscribe(() => {
    schedule();
    options.onSessionChange?.(sessions.get());
  });

  // One client, one user: `events.stream` resumes from the last tracked event it saw.
  const ws = createChatWsClient({
    url: httpUrl.replace(/^http/, 'ws'),
    sessions,
    WebSocket: options.WebSocket,
    lazy: { enabled: true, closeMs: 10_000 },
    retryDelayMs: (attempt) => Math.min(500 * 2 ** attempt, 10_000) * (0.5 + Math.random() / 2),
  });
  const api = createTRPCClient<AppRouter>({ links: chatLinks({ ...http, sessions, ws }) });

  schedule();

  return {
    api,
    get session() {
      return sessions.get();
    },
    sessions,
    get lastEventId() {
      return ws.position.lastEventId;
    },
    async register(input) {
      const s = await auth.register.mutate(input);
      sessions.set(toStored(s.user.id, s));
      return s;
    },
    async login(input) {
      const s = await auth.login.mutate(input);
      sessions.set(toStored(s.user.id, s));
      return s;
    },
    async logout() {
      ws.position.reset();
      await sessions.signOut();
    },
    refresh,
    chat: {
      upload: (conversationId, body, uploadOptions) =>
        uploadFile(
          { baseUrl: options.url, sessions, ...(options.fetch ? { fetch: options.fetch } : {}) },
          conversationId,
          body,
          uploadOptions,
        ),
    },
    fileUrl: (path) => new URL(path, `${options.url.replace(/\/+$/, '')}/`).toString(),
    close() {
      if (timer) clearTimeout(timer);
      unsubscribe();
      sessions.dispose();
      void ws.client.close();
    },
  };
}
