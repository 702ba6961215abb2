/** The one table of results (Markdown, so it pastes into docs/performance.md) and its rows. */
import type { CpuUsage } from './cpu-meter.js';
import type { RunRecord } from './run-record.js';
import type { IdleResult } from './steps/idle.js';
import type { GroupResult } from './steps/group.js';
import type { ConnectionsResult } from './steps/connections.js';
import type { SeedResult } from './steps/store.js';
import type { HighestHeld, LadderResults } from './steps/rates.js';
import { saturated, type RateResult } from './steps/sustained.js';
import { formatMs, type Summary } from './stats.js';

export type SustainedResults = LadderResults;

export interface BenchResults extends RunRecord {
  options: Record<string, unknown>;
  setup?: {
    users: number;
    registerSeconds: number;
    registerPerSecond: number;
    registerConcurrency: number;
    pairSeconds: number;
    connectSeconds: number;
  };
  idle?: IdleResult;
  sustained?: SustainedResults;
  group?: GroupResult;
  connections?: ConnectionsResult;
  store?: { seed: SeedResult; baseline: IdleResult; idle: IdleResult };
  relay?: { idle?: IdleResult; sustained?: SustainedResults; users: number };
  /** What else used the CPU during the run (other processes on the machine). */
  otherLoad?: Array<{ pid: number; comm: string; cpuSeconds: number }>;
}

type Row = [string, string, string];

const n = (v: number) => Math.round(v).toLocaleString('en-US');
const pct = (ratio: number) => `${ratio >= 1 ? '+' : ''}${Math.round((ratio - 1) * 100)} %`;
const p50p99 = (s: Summary) => `p50 ${formatMs(s.p50)} / p99 ${formatMs(s.p99)}`;
const errorText = (errors: Record<string, number>) => {
  const parts = Object.entries(errors).map(([code, count]) => `${code} ${n(count)}`);
  return parts.length ? parts.join(', ') : '0';
};

function highestText(h: HighestHeld | undefined, steps: readonly RateResult[]): string {
  if (!h) return '–';
  const tried = steps.length
    ? `tried ${[...new Set(steps.map((s) => s.target))].sort((a, b) => a - b).join(', ')}`
    : '';
  if (h.rate === 0) return `none held (lowest tried ${h.failedAt ?? '?'} msg/s failed; ${tried})`;
  return `${n(h.rate)} msg/s${h.failedAt !== null ? ` (${n(h.failedAt)} failed)` : ' (highest tried)'}`;
}

/** The step whose CPU figures stand for "per message": the busiest one not saturated. */
export function cpuReferenceStep(steps: readonly RateResult[]): RateResult | undefined {
  const ok = steps.filter((s) => !saturated(s) && s.acked > 0);
  if (ok.length) return ok.reduce((a, b) => (b.acked > a.acked ? b : a));
  return [...steps].filter((s) => s.acked > 0).sort((a, b) => a.target - b.target)[0];
}

const isGenerator = (u: CpuUsage) => u.name.startsWith('generator');

export function systemCpuPerMessage(step: RateResult): number | null {
  const used = step.cpu.filter((u) => !isGenerator(u) && u.ms !== null);
  if (!used.length || step.acked === 0) return null;
  return used.reduce((s, u) => s + u.ms!, 0) / step.acked;
}

export function mainTable(r: BenchResults): string {
  const rows: Row[] = [];
  if (r.setup)
    rows.push([
      `set-up: register ${n(r.setup.users)} users (${r.setup.registerConcurrency} in parallel)`,
      `${r.setup.registerSeconds.toFixed(1)} s (${n(r.setup.registerPerSecond)} users/s)`,
      '',
    ]);
  if (r.idle)
    rows.push([
      '1 idle: send → partner’s message.new',
      `${p50p99(r.idle.delivery)} (n=${r.idle.samples}; send answer ${p50p99(r.idle.ack)})`,
      'p50 ≤ 8 ms / p99 ≤ 20 ms',
    ]);
  for (const s of r.sustained?.steps ?? []) {
    rows.push([
      `2 DM load ${n(s.target)} msg/s${s.phase === 'bisect' ? ' (bisection)' : ''}, ${Math.round(s.sendSeconds)} s`,
      `p50/p95/p99 ${formatMs(s.latency.p50)} / ${formatMs(s.latency.p95)} / ${formatMs(s.latency.p99)}; ` +
        `achieved ${n(s.achieved)} msg/s; lost ${n(s.lost)}, duplicated ${n(s.duplicates)}, errors ${errorText(s.errors)}` +
        (s.abortedBecause ? `; stopped early: ${s.abortedBecause}` : ''),
      '',
    ]);
  }
  if (r.sustained) {
    const at = (ms: number) => r.sustained!.highest.find((h) => h.p99Ms === ms);
    rows.push([
      '3 highest rate held, p99 ≤ 100 ms',
      highestText(at(100), r.sustained.steps),
      '≥ 2,000 msg/s',
    ]);
    rows.push([
      '3 highest rate held, p99 ≤ 50 ms, nothing lost',
      highestText(at(50), r.sustained.steps),
      '≥ 1,000 msg/s',
    ]);
  }
  if (r.group) {
    const g = r.group;
    rows.push([
      `4 group of ${n(g.members)} members: until the last recipient has it`,
      `${p50p99(g.last)}; first recipient ${p50p99(g.first)} (${g.messages} messages` +
        `${g.incomplete ? `, ${g.incomplete} incomplete` : ''})` +
        (g.refusal ? `; asked for ${n(g.requested)}, refused: “${g.refusal}”` : ''),
      'p99 ≤ 150 ms with 1,000 members',
    ]);
  }
  if (r.connections) {
    const c = r.connections;
    rows.push([
      `5 ${n(c.connections)} idle connections to one gateway${c.distinctUsers < c.connections ? ` (${n(c.distinctUsers)} users)` : ''}: RSS per connection`,
      `${c.perConnectionKib === null ? '?' : c.perConnectionKib.toFixed(1)} KiB after a full GC ` +
        `(JS heap ${c.heapPerConnectionKib === null ? '?' : c.heapPerConnectionKib.toFixed(1)} KiB); connected at ${n(c.connectPerSecond)}/s, ` +
        `workers answering promptly ${c.backlogAfterConnectSeconds.toFixed(0)} s later`,
      '≤ 20 KiB',
    ]);
    rows.push([
      `5 reconnect storm: all ${n(c.connections)} resubscribed (with lastEventId: ${n(c.withLastEventId)})`,
      (c.storm.seconds === null
        ? `not all: ${n(c.storm.resubscribed)} in time`
        : `${c.storm.seconds.toFixed(1)} s`) +
        `; ${n(c.storm.within20s)} within 20 s; then a message ${p50p99(c.probeAfterStorm)}; ` +
        `workers answering promptly after ${c.storm.backlogSeconds === null ? '?' : c.storm.backlogSeconds.toFixed(0)} s`,
      '≤ 20 s',
    ]);
  }
  const ref = r.sustained ? cpuReferenceStep(r.sustained.steps) : undefined;
  if (ref) {
    const perMessage = systemCpuPerMessage(ref);
    rows.push([
      `6 CPU per message, system processes (at ${n(ref.target)} msg/s)`,
      `${perMessage === null ? '?' : perMessage.toFixed(2)} ms (table below)`,
      '≤ 1 ms',
    ]);
  }
  if (r.store) {
    const { idle, baseline, seed } = r.store;
    const ratio = (a: number | null, b: number | null) => (a !== null && b ? pct(a / b) : '?');
    rows.push([
      `6 idle with ${n(seed.after)} stored messages`,
      `${p50p99(idle.delivery)} (n=${idle.samples}): p50 ${ratio(idle.delivery.p50, baseline.delivery.p50)}, ` +
        `p99 ${ratio(idle.delivery.p99, baseline.delivery.p99)} vs ${n(seed.before)} stored`,
      'within 20 %',
    ]);
  }
  if (r.relay?.idle) {
    rows.push(['7 bare relay: idle', p50p99(r.relay.idle.delivery), '']);
  }
  if (r.relay?.sustained) {
    const h = r.relay.sustained.highest.find((x) => x.p99Ms === 100);
    rows.push([
      '7 bare relay: highest rate held, p99 ≤ 100 ms',
      highestText(h, r.relay.sustained.steps),
      '',
    ]);
  }
  if (r.relay && r.idle && r.relay.idle) {
    const ratio = (a: number | null, b: number | null) =>
      a !== null && b ? `${(a / b).toFixed(1)}×` : '?';
    const sysMax = r.sustained?.highest.find((x) => x.p99Ms === 100)?.rate ?? null;
    const relayMax = r.relay.sustained?.highest.find((x) => x.p99Ms === 100)?.rate ?? null;
    rows.push([
      '7 system / relay',
      `idle p50 ${ratio(r.idle.delivery.p50, r.relay.idle.delivery.p50)}, p99 ${ratio(r.idle.delivery.p99, r.relay.idle.delivery.p99)}; ` +
        `max rate (p99 ≤ 100 ms) ${sysMax !== null && relayMax ? `${(sysMax / relayMax).toFixed(3)} (the relay holds ${(relayMax / Math.max(sysMax, 1)).toFixed(0)}×)` : '?'}`,
      '',
    ]);
  }
  return markdownTable(['step', 'measured', 'target'], rows);
}

/**
 * A row per process and a system total, a column per sustained step (by rate; bisection
 * probes marked). `cell` gets the process's usage in that step (undefined when absent).
 */
function perProcessTable(
  steps: readonly RateResult[],
  cell: (step: RateResult, usage: CpuUsage | undefined) => string,
  total: (step: RateResult) => string,
  markShared: boolean,
): string {
  if (steps.length === 0) return '';
  steps = [...steps].sort((a, b) => a.target - b.target);
  const header = [
    'process',
    ...steps.map((s) => `${n(s.target)} msg/s${s.phase === 'bisect' ? ' (b)' : ''}`),
  ];
  const rows = steps[0]!.cpu.map((first) => [
    `${first.name}${markShared && first.shared ? ' *' : ''}`,
    ...steps.map((s) =>
      cell(
        s,
        s.cpu.find((u) => u.name === first.name),
      ),
    ),
  ]);
  rows.push(['system total (without generator)', ...steps.map(total)]);
  return markdownTable(header, rows);
}

/** CPU milliseconds per acknowledged message, per process, for each sustained step. */
export function cpuTable(steps: readonly RateResult[]): string {
  return perProcessTable(
    steps,
    (s, u) => {
      if (!u || u.ms === null || s.acked === 0) return '–';
      const core = (u.ms / (s.cpuSeconds * 1000)) * 100;
      return `${(u.ms / s.acked).toFixed(2)} ms (${core.toFixed(0)} %)`;
    },
    (s) => {
      const v = systemCpuPerMessage(s);
      return v === null ? '–' : `${v.toFixed(2)} ms`;
    },
    true,
  );
}

const switchesPerMessage = (s: RateResult, u: CpuUsage | undefined) =>
  u && typeof u.switches === 'number' && s.acked > 0 ? u.switches / s.acked : null;

/**
 * Context switches per acknowledged message, per process: how often a message puts a thread
 * to sleep and wakes it. At low rates each one is a hop of its own (CPU per message is
 * mostly these); under load one wake-up serves many messages.
 */
export function switchesTable(steps: readonly RateResult[]): string {
  return perProcessTable(
    steps,
    (s, u) => switchesPerMessage(s, u)?.toFixed(1) ?? '–',
    (s) => {
      const each = s.cpu.filter((u) => !isGenerator(u)).map((u) => switchesPerMessage(s, u));
      return each.some((v) => v !== null)
        ? each.reduce<number>((sum, v) => sum + (v ?? 0), 0).toFixed(1)
        : '–';
    },
    false,
  );
}

export function markdownTable(
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(header),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...rows.map(line),
  ].join('\n');
}
