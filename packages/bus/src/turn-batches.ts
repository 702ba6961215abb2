/**
 * Collects items per key during one turn of the event loop and hands each key's items over
 * together once the turn's I/O callbacks have run (setImmediate): what a busy process
 * produces for the same destination in one turn leaves as one message. A lone item waits
 * only for the end of its turn.
 */
export class TurnBatches<T> {
  private readonly open = new Map<string, T[]>();
  private scheduled = false;

  constructor(
    private readonly flush: (key: string, items: T[]) => void,
    /** A key's items are handed over early once this many are waiting. */
    private readonly maxItems: number,
  ) {}

  add(key: string, item: T): void {
    let items = this.open.get(key);
    if (!items) {
      items = [];
      this.open.set(key, items);
    }
    items.push(item);
    if (items.length >= this.maxItems) {
      this.open.delete(key);
      this.flush(key, items);
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flushAll());
    }
  }

  private flushAll(): void {
    this.scheduled = false;
    const open = [...this.open];
    this.open.clear();
    for (const [key, items] of open) this.flush(key, items);
  }
}
