/** How far back socket closes count towards a storm. */
export const STORM_WINDOW_MS = 5_000;

/**
 * Tells a storm of closing sockets (this gateway's network blipped, a load balancer or the
 * clients' proxy dropped them, a deploy moved them) from people leaving: at least `minSockets`
 * closed within the last {@link STORM_WINDOW_MS}, and at least `share` of the sockets this
 * gateway had then. Their users are coming back, so the user worker waits longer before it
 * shows them offline — a flap of thousands of users costs a write and two events each.
 */
export class Departures {
  /** Close times (ms), oldest first; `head` skips those out of the window. */
  private times: number[] = [];
  private head = 0;

  constructor(
    private readonly minSockets: number,
    private readonly share: number,
  ) {}

  /** Records a close at `now` while `open` sockets remain; says whether closes come as a storm. */
  record(now: number, open: number): boolean {
    this.times.push(now);
    while (this.head < this.times.length && this.times[this.head]! <= now - STORM_WINDOW_MS)
      this.head++;
    if (this.head > 1_024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    const closed = this.times.length - this.head;
    return (
      this.minSockets > 0 && closed >= this.minSockets && closed >= this.share * (open + closed)
    );
  }
}
