import { backoffMs, errorCode, sleep, worthRetrying } from './client-errors.js';
import type { Ledger } from './ledger.js';
import type { ChaosUser } from './population.js';

export interface LoadOptions {
  /** Messages per second, all users together. */
  rate: number;
  /** markRead calls per second, all users together. */
  readRate: number;
}

/** Share of messages that go to a group rather than the DM (for group members). */
const GROUP_SHARE = 0.25;

/**
 * The steady load: messages at a fixed total rate from users in turn (users whose stream is
 * offline don't write), and now and then a user marks a conversation read up to the newest
 * message they received there.
 */
export class Load {
  private sending = false;
  private reading = false;
  private readonly offline = new Set<ChaosUser>();
  private readonly readsInFlight = new Map<ChaosUser, Promise<void>>();
  private loops: Promise<void>[] = [];

  constructor(
    private readonly users: ChaosUser[],
    private readonly ledger: Ledger,
    private readonly options: LoadOptions,
  ) {}

  start(): void {
    this.sending = this.reading = true;
    this.loops = [this.sendLoop(), this.readLoop()];
  }

  setOffline(users: ChaosUser[]): void {
    this.offline.clear();
    for (const u of users) this.offline.add(u);
  }

  get pendingSends(): number {
    return this.users.reduce((n, u) => n + u.outbox.pending, 0);
  }

  /** Stops writing new messages and marking read; what is queued keeps retrying. */
  async stop(): Promise<void> {
    this.sending = this.reading = false;
    await Promise.all(this.loops);
    await Promise.all(this.readsInFlight.values());
  }

  private async sendLoop(): Promise<void> {
    const started = Date.now();
    let turn = 0;
    for (let n = 0; this.sending; n++) {
      const wait = started + (n * 1000) / this.options.rate - Date.now();
      if (wait > 0) await sleep(wait);
      if (!this.sending) break;
      const user = this.nextOnline(turn++);
      if (!user) continue;
      user.outbox.send(pickConversation(user));
    }
  }

  private nextOnline(turn: number): ChaosUser | undefined {
    for (let k = 0; k < this.users.length; k++) {
      const user = this.users[(turn + k) % this.users.length]!;
      if (!this.offline.has(user) && user.conversations.length > 0) return user;
    }
    return undefined;
  }

  private async readLoop(): Promise<void> {
    while (this.reading) {
      await sleep(1000 / this.options.readRate);
      const user = this.users[Math.floor(Math.random() * this.users.length)]!;
      if (this.offline.has(user) || this.readsInFlight.has(user) || user.newest.size === 0)
        continue;
      const [conversationId, upToMessageId] = [...user.newest][
        Math.floor(Math.random() * user.newest.size)
      ]!;
      const done = this.markRead(user, conversationId, upToMessageId).finally(() =>
        this.readsInFlight.delete(user),
      );
      this.readsInFlight.set(user, done);
    }
  }

  /** markRead is idempotent: retried a few times, then left for the next turn. */
  private async markRead(user: ChaosUser, conversationId: string, upToMessageId: string) {
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        await user.client.api.chat.markRead.mutate(
          { conversationId, upToMessageId },
          { signal: AbortSignal.timeout(15_000) },
        );
        return;
      } catch (err) {
        const code = errorCode(err);
        this.ledger.error('read', code);
        if (!worthRetrying(code)) return;
        await sleep(backoffMs(attempt));
      }
    }
  }
}

function pickConversation(user: ChaosUser): string {
  const [dm, ...groups] = user.conversations;
  if (groups.length === 0 || Math.random() >= GROUP_SHARE) return dm!;
  return groups[Math.floor(Math.random() * groups.length)]!;
}
