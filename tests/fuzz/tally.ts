/** Counts of what the fuzz run sent and what came back; failures keep a few examples. */
export class Tally {
  sent = 0;
  readonly answers = new Map<string, number>();
  /** 5xx answers (or a WS error whose httpStatus is 5xx), by kind. */
  readonly serverErrors = new Map<string, number>();
  /** Requests that got no answer at all within the bound (a hang is a bug too). */
  noAnswer = 0;
  readonly crashes: string[] = [];
  readonly examples: string[] = [];

  record(channel: string, status: number | string, code?: string): void {
    const key = `${channel} ${status}${code ? ` ${code}` : ''}`;
    this.answers.set(key, (this.answers.get(key) ?? 0) + 1);
  }

  serverError(kind: string, example: string): void {
    const seen = this.serverErrors.get(kind) ?? 0;
    this.serverErrors.set(kind, seen + 1);
    // A few examples of each kind, so one noisy kind can't hide the others.
    if (seen < 3) this.keepExample(`5xx ${kind}: ${example}`);
  }

  hang(example: string): void {
    this.noAnswer++;
    if (this.noAnswer <= 5) this.keepExample(`no answer: ${example}`);
  }

  private keepExample(text: string): void {
    if (this.examples.length < 40) this.examples.push(text.slice(0, 300));
  }

  get fiveXX(): number {
    let n = 0;
    for (const count of this.serverErrors.values()) n += count;
    return n;
  }

  get ok(): boolean {
    return this.fiveXX === 0 && this.crashes.length === 0 && this.noAnswer === 0;
  }

  summary(seconds: number): string {
    const lines = [
      `fuzz: ${this.sent} inputs in ${seconds.toFixed(0)} s`,
      'answers by channel, status and code:',
      ...[...this.answers.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, count]) => `  ${key.padEnd(48)} ${count}`),
      `5xx: ${this.fiveXX}${
        this.fiveXX
          ? ` (${[...this.serverErrors.entries()].map(([k, v]) => `${k}: ${v}`).join(', ')})`
          : ''
      }`,
      `no answer: ${this.noAnswer}`,
      `crashes: ${this.crashes.length}${this.crashes.length ? ` (${this.crashes.join('; ')})` : ''}`,
    ];
    if (this.examples.length) lines.push('examples:', ...this.examples.map((e) => `  ${e}`));
    lines.push(
      `fuzz totals: inputs=${this.sent} 5xx=${this.fiveXX} noAnswer=${this.noAnswer} crashes=${this.crashes.length}`,
    );
    return lines.join('\n');
  }
}
