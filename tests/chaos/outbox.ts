import { randomUUID } from 'node:crypto';
import type { ChatClient } from '@chat/sdk';
import { backoffMs, errorCode, retryAfterMs, sleep, worthRetrying } from './client-errors.js';
import type { Ledger, SendRecord } from './ledger.js';

/** A client gives up waiting for one answer after this long and tries again. */
const CALL_TIMEOUT_MS = 15_000;
/** Messages of one user on their way at once (an app sends each as it is typed). */
const MAX_IN_FLIGHT = 4;

/**
 * One user's outgoing messages, like an app's outbox: each is retried with the same clientId
 * until acknowledged (or refused for good, or the run ends), a few at a time.
 */
export class Outbox {
  private readonly queue: SendRecord[] = [];
  private inFlight = 0;
  private stopped = false;
  private counter = 0;

  constructor(
    private readonly userId: string,
    private readonly client: ChatClient,
    private readonly ledger: Ledger,
  ) {}

  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  send(conversationId: string): void {
    const record: SendRecord = {
      clientId: randomUUID(),
      conversationId,
      senderId: this.userId,
      phase: -1,
      firstAttemptAt: 0,
      attempts: 0,
      ackedAt: null,
      messageId: null,
      rejected: null,
    };
    this.ledger.sends.push(record);
    this.queue.push(record);
    this.pump();
  }

  /** Ends the retries (what is still queued stays unacknowledged). */
  stop(): void {
    this.stopped = true;
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0 && !this.stopped) {
      const record = this.queue.shift()!;
      this.inFlight++;
      void this.deliver(record).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async deliver(record: SendRecord): Promise<void> {
    const content = `chaos ${this.userId.slice(-6)} #${++this.counter} ${record.clientId.slice(0, 8)}`;
    while (!this.stopped) {
      const startedAt = Date.now();
      if (record.attempts++ === 0) {
        // The phase in which it was really sent (a backlog can delay the first try).
        record.firstAttemptAt = startedAt;
        record.phase = this.ledger.phase;
      }
      try {
        const message = await this.client.api.chat.send.mutate(
          { conversationId: record.conversationId, clientId: record.clientId, content },
          { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) },
        );
        record.ackedAt = Date.now();
        record.messageId = message.id;
        this.ledger.ack(startedAt);
        return;
      } catch (err) {
        const code = errorCode(err);
        this.ledger.error('send', code);
        if (!worthRetrying(code)) {
          record.rejected = code;
          return;
        }
        await sleep(retryAfterMs(err) ?? backoffMs(record.attempts));
      }
    }
  }
}
