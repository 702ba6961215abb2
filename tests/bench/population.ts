/**
 * The benchmark's users: registered in parallel through the public API, paired into
 * direct conversations, each connected over its own WebSocket with `events.stream`.
 */
import { randomBytes } from 'node:crypto';
import { mapLimit, throttled, withTimeout } from './async.js';
import { ApiCallError, callHttp, withRetries } from './http-api.js';
import { TrpcSocket, type StreamEvent } from './ws-client.js';

export interface BenchUser {
  index: number;
  id: string;
  username: string;
  token: string;
  /** Base URL of the gateway this user connects to. */
  url: string;
}

interface Session {
  user: { id: string };
  accessToken: string;
}

const PASSWORD = 'bench-password-1';
/** One run's usernames share a random tag: `b<tag>_<n>` (3–32 of [a-z0-9_]). */
const runTag = randomBytes(3).toString('hex');

export interface Timed<T> {
  value: T;
  seconds: number;
}

async function timed<T>(work: () => Promise<T>): Promise<Timed<T>> {
  const t0 = performance.now();
  const value = await work();
  return { value, seconds: (performance.now() - t0) / 1000 };
}

/** Registers `count` users (at most `concurrency` sign-ups in flight), spread over `urls`. */
export function registerUsers(
  urls: readonly string[],
  count: number,
  options: {
    firstIndex?: number;
    concurrency: number;
    /** Stop starting sign-ups after this many seconds (fewer users come back). */
    budgetSeconds?: number;
    log: (line: string) => void;
  },
): Promise<Timed<BenchUser[]>> {
  const first = options.firstIndex ?? 0;
  const progress = throttled(5_000, options.log);
  const deadline = performance.now() + (options.budgetSeconds ?? Infinity) * 1000;
  return timed(async () => {
    const users = await mapLimit(
      Array.from({ length: count }, (_, i) => first + i),
      options.concurrency,
      async (index): Promise<BenchUser | null> => {
        if (performance.now() > deadline) return null;
        const username = `b${runTag}_${index}`;
        const url = urls[index % urls.length]!;
        const session = await withRetries(async (attempt) => {
          try {
            return await callHttp<Session>(url, 'auth.register', {
              username,
              email: `${username}@bench.example`,
              password: PASSWORD,
            });
          } catch (err) {
            // A retried sign-up whose first attempt went through: sign in instead.
            if (attempt === 1 || !(err instanceof ApiCallError) || err.code !== 'CONFLICT')
              throw err;
            return callHttp<Session>(url, 'auth.login', {
              identifier: username,
              password: PASSWORD,
            });
          }
        });
        return { index, id: session.user.id, username, token: session.accessToken, url };
      },
      (done) => progress(`  registered ${done}/${count}`),
    );
    return users.filter((u): u is BenchUser => u !== null);
  });
}

/**
 * Opens a direct conversation for each pair (users 2k and 2k+1); returns, per user, the
 * id of the conversation with its partner.
 */
export async function pairUp(
  users: readonly BenchUser[],
  options: { concurrency: number; log: (line: string) => void },
): Promise<Timed<string[]>> {
  const pairs = Math.floor(users.length / 2);
  const progress = throttled(5_000, options.log);
  return timed(async () => {
    const ids = await mapLimit(
      Array.from({ length: pairs }, (_, k) => k),
      options.concurrency,
      async (k) => {
        const a = users[2 * k]!;
        const b = users[2 * k + 1]!;
        const conversation = await withRetries(() =>
          callHttp<{ id: string }>(a.url, 'chat.openDirect', { userId: b.id }, { token: a.token }),
        );
        return conversation.id;
      },
      (done) => progress(`  opened ${done}/${pairs} direct conversations`),
    );
    return users.map((_, i) => ids[Math.floor(i / 2)] ?? '');
  });
}

/**
 * Waits until a call served by a worker (`user.me`) answers within `fastMs` again, e.g.
 * after a connect storm queued a presence update per socket. Returns the seconds waited.
 */
export async function waitResponsive(
  user: BenchUser,
  options: { fastMs: number; timeoutMs: number },
): Promise<{ seconds: number; responsive: boolean }> {
  const t0 = performance.now();
  while (performance.now() - t0 < options.timeoutMs) {
    const started = performance.now();
    const ok = await callHttp(user.url, 'user.me', undefined, {
      token: user.token,
      kind: 'query',
      timeoutMs: 30_000,
    }).then(
      () => true,
      () => false,
    );
    if (ok && performance.now() - started <= options.fastMs)
      return { seconds: (performance.now() - t0) / 1000, responsive: true };
    await new Promise((r) => setTimeout(r, 500));
  }
  return { seconds: (performance.now() - t0) / 1000, responsive: false };
}

export type EventHandler = (userIndex: number, event: StreamEvent, eventId: string | null) => void;

/** Users with one socket each; events go to whatever handler the current step installed. */
export class ConnectedUsers {
  readonly sockets: TrpcSocket[];
  /** Counts of trouble seen on the sockets (`closed:1006`, `stream:SERVICE_UNAVAILABLE`, …). */
  readonly trouble = new Map<string, number>();
  handler: EventHandler | null = null;

  constructor(
    readonly users: readonly BenchUser[],
    /** Per user: the conversation with its partner (pairs 2k / 2k+1). */
    public conversations: readonly string[],
    options: { autoReconnect: boolean; lastEventIds?: ReadonlyArray<string | null> },
  ) {
    this.sockets = users.map((user, i) => {
      const socket = new TrpcSocket({
        url: user.url,
        token: user.token,
        autoReconnect: options.autoReconnect,
        onEvent: (event, id) => this.handler?.(i, event, id),
        onTrouble: (what) => this.trouble.set(what, (this.trouble.get(what) ?? 0) + 1),
      });
      socket.lastEventId = options.lastEventIds?.[i] ?? null;
      return socket;
    });
  }

  get size(): number {
    return this.users.length;
  }

  partnerOf(i: number): number {
    return i ^ 1;
  }

  /** Connects every socket (bounded concurrency); throws if any fails. */
  async connectAll(options: {
    concurrency: number;
    timeoutMs: number;
    log: (line: string) => void;
  }): Promise<number> {
    const t0 = performance.now();
    const progress = throttled(5_000, options.log);
    await withTimeout(
      mapLimit(
        this.sockets,
        options.concurrency,
        (s) => s.connect(Math.min(options.timeoutMs, 60_000)),
        (done) => progress(`  connected ${done}/${this.size}`),
      ),
      options.timeoutMs,
      `connecting ${this.size} sockets`,
    );
    return (performance.now() - t0) / 1000;
  }

  closeAll(): void {
    this.sockets.forEach((s) => s.close());
  }

  lastEventIds(): Array<string | null> {
    return this.sockets.map((s) => s.lastEventId);
  }

  troubleSummary(): Record<string, number> {
    return Object.fromEntries(this.trouble);
  }
}
