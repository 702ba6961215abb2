/**
 * A bounded FIFO of async tasks run at most `concurrency` at a time. `add` never waits and
 * never throws: beyond `max` waiting tasks it drops the task and says so, so whoever adds
 * (the event fanout) is never slowed by slow push services.
 */
export class TaskQueue {
  private readonly waiting: Array<() => Promise<void>> = [];
  private running = 0;
  private idle: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly max: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Queues a task; false when the queue is full and the task was dropped. */
  add(task: () => Promise<void>): boolean {
    if (this.waiting.length >= this.max) return false;
    this.waiting.push(task);
    this.next();
    return true;
  }

  /** Resolves once nothing waits or runs (shutdown). */
  drained(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private next(): void {
    while (this.running < Math.max(1, this.concurrency) && this.waiting.length > 0) {
      const task = this.waiting.shift()!;
      this.running++;
      task()
        .catch(this.onError)
        .finally(() => {
          this.running--;
          this.next();
        });
    }
    if (this.running === 0 && this.waiting.length === 0) {
      const idle = this.idle;
      this.idle = [];
      idle.forEach((resolve) => resolve());
    }
  }
}
