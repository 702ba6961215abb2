/**
 * Group commit: items pushed while a flush is running are written together by the next
 * one. An idle lane flushes at once (no timer, no added latency); under load each round
 * trip carries everything that queued up meanwhile, so its cost is shared.
 */
export class Lane<T, R> {
  private queued: Array<{ item: T; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  private busy = false;

  constructor(
    /** Writes a batch; returns one result per item, in order. */
    private readonly flush: (items: T[]) => Promise<R[]>,
    private readonly maxBatch = 1_000,
  ) {}

  push(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queued.push({ item, resolve, reject });
      if (!this.busy) void this.run();
    });
  }

  private async run(): Promise<void> {
    this.busy = true;
    while (this.queued.length > 0) {
      const batch = this.queued.splice(0, this.maxBatch);
      try {
        const results = await this.flush(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(results[i]!));
      } catch (err) {
        batch.forEach((b) => b.reject(err));
      }
    }
    this.busy = false;
  }
}
