/** The attachments benchmark's results and its one table (Markdown, for docs/performance.md). */
import { markdownTable } from '../report.js';
import type { RunRecord } from '../run-record.js';
import { percentile } from '../stats.js';
import type { FilesBenchOptions } from './options.js';
import { DRIVER_LABEL, type Driver } from './storage.js';
import type { ConcurrentResult, SequentialResult, TransferSample } from './steps.js';

export interface DriverResult {
  driver: Driver;
  sequential?: SequentialResult;
  uploads?: ConcurrentResult;
  downloads?: ConcurrentResult;
}

export interface FilesBenchResults extends RunRecord {
  loadAverageAtEnd?: number[];
  options: FilesBenchOptions;
  drivers: DriverResult[];
}

const MiB = 2 ** 20;
const mib = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

/** "p50 12.3 (min 10.1, max 14.2)" of one field of the samples. */
export function spread(
  samples: readonly TransferSample[],
  field: keyof TransferSample,
  unit: string,
): string {
  if (samples.length === 0) return '–';
  const sorted = samples.map((s) => s[field]).sort((a, b) => a - b);
  const f = (v: number) => (field === 'ms' ? v.toFixed(0) : mib(v));
  const p50 = f(percentile(sorted, 50)!);
  if (sorted.length === 1) return `${p50} ${unit}`;
  return `p50 ${p50} ${unit} (min ${f(sorted[0]!)}, max ${f(sorted.at(-1)!)})`;
}

export function concurrentText(c: ConcurrentResult | undefined, limitMib: number): string {
  if (!c) return '–';
  const within = c.growthMib <= limitMib ? 'within' : 'OVER';
  return (
    `+${mib(c.growthMib)} MiB over idle (${within} ${limitMib}): peak ${mib(c.during.peakMib)}, ` +
    `idle ${mib(c.idle.medianMib)} MiB; ` +
    `all done in ${c.seconds.toFixed(1)} s, ${mib(c.aggregateMibPerSecond)} MiB/s together`
  );
}

export function filesTable(r: FilesBenchResults): string {
  const o = r.options;
  const size = `${+(o.size / MiB).toFixed(1)} MiB`;
  const drivers = r.drivers;
  const row = (what: string, cell: (d: DriverResult) => string, target = '') => [
    what,
    ...drivers.map(cell),
    target,
  ];
  const rows = [
    row(`upload ${size}, one at a time (n=${o.runs})`, (d) =>
      spread(d.sequential?.uploads ?? [], 'mibPerSecond', 'MiB/s'),
    ),
    row(`download it whole by its signed URL (n=${o.runs})`, (d) =>
      spread(d.sequential?.downloads ?? [], 'mibPerSecond', 'MiB/s'),
    ),
    row(
      `range read of ${+(o.rangeBytes / MiB).toFixed(2)} MiB from the middle (n=${o.runs})`,
      (d) => spread(d.sequential?.ranges ?? [], 'ms', 'ms'),
    ),
    row('gateway RSS idle, after a full GC', (d) =>
      d.uploads
        ? `${mib(d.uploads.idle.medianMib)} MiB (JS heap ${mib(d.uploads.heapAfterGcMib)} MiB)`
        : '–',
    ),
    row(
      `${o.users} users upload ${size} each at once: gateway RSS`,
      (d) => concurrentText(d.uploads, o.rssLimitMib),
      `≤ ${o.rssLimitMib} MiB over idle`,
    ),
    row(`${o.users} downloads of ${size} at once: gateway RSS`, (d) =>
      concurrentText(d.downloads, o.rssLimitMib),
    ),
  ];
  return markdownTable(['what', ...drivers.map((d) => DRIVER_LABEL[d.driver]), 'target'], rows);
}
