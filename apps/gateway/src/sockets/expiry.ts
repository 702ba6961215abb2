import type { WebSocket } from 'ws';

/**
 * Closes each socket when its access token expires, with one timer for all of them (a timer
 * and a close listener per socket cost ≈ 0.75 KiB each). Sockets are kept in buckets by the
 * second their token expires; the timer wakes at the earliest bucket's second.
 */
export class ExpiryClock {
  private readonly buckets = new Map<number, Set<WebSocket>>();
  /** Bucket seconds in ascending order. */
  private seconds: number[] = [];
  private readonly bucketOf = new Map<WebSocket, number>();
  private timer: NodeJS.Timeout | null = null;
  private armedFor = Infinity;

  constructor(private readonly onExpired: (socket: WebSocket) => void) {}

  /** Expires `socket` at `expSeconds` (a JWT `exp`): at once if that has passed. */
  add(socket: WebSocket, expSeconds: number): void {
    this.forget(socket);
    let bucket = this.buckets.get(expSeconds);
    if (!bucket) {
      bucket = new Set();
      this.buckets.set(expSeconds, bucket);
      const at = this.seconds.findIndex((s) => s > expSeconds);
      this.seconds.splice(at < 0 ? this.seconds.length : at, 0, expSeconds);
    }
    bucket.add(socket);
    this.bucketOf.set(socket, expSeconds);
    if (expSeconds < this.armedFor) this.arm();
  }

  forget(socket: WebSocket): void {
    const second = this.bucketOf.get(socket);
    if (second === undefined) return;
    this.bucketOf.delete(socket);
    const bucket = this.buckets.get(second);
    bucket?.delete(socket);
    if (bucket?.size === 0) {
      this.buckets.delete(second);
      this.seconds.splice(this.seconds.indexOf(second), 1);
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = Infinity;
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    const next = this.seconds[0];
    if (next === undefined) {
      this.timer = null;
      this.armedFor = Infinity;
      return;
    }
    this.armedFor = next;
    // setTimeout caps at ~24.8 days; access tokens live minutes.
    const ms = Math.max(0, Math.min(next * 1000 - Date.now(), 2 ** 31 - 1));
    this.timer = setTimeout(() => this.fire(), ms);
    this.timer.unref();
  }

  private fire(): void {
    const now = Date.now();
    while (this.seconds.length > 0 && this.seconds[0]! * 1000 <= now) {
      const second = this.seconds.shift()!;
      const bucket = this.buckets.get(second) ?? new Set<WebSocket>();
      this.buckets.delete(second);
      for (const socket of bucket) {
        this.bucketOf.delete(socket);
        this.onExpired(socket);
      }
    }
    this.arm();
  }
}
