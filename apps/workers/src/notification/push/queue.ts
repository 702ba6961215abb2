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
    private max: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Queues a task; false when the queue is full and the task was dropped. */
  add(task: () => Promise<void>): boolean {
    if (this.waiting.length >= this.max) return false;
    this.waiting.push(task);
    this.next();
    return true;
  }

  /**
   * Shutdown: drops what waits (returning how many; their pushes are lost, as a full queue's
   * are) and resolves once the tasks in flight are done, each bounded by its own timeout.
   */
  close(): Promise<number> {
    const dropped = this.waiting.splice(0).length;
    this.max = 0;
    if (this.running === 0) return Promise.resolve(dropped);
    return new Promise((resolve) => this.idle.push(() => resolve(dropped)));
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
