/** Command-line options of `npm run bench:files`. */
import { parseArgs } from 'node:util';
import { DRIVERS, type Driver } from './storage.js';

export interface FilesBenchOptions {
  drivers: Driver[];
  /** Bytes of each file. */
  size: number;
  /** Sequential uploads, downloads and range reads measured per driver. */
  runs: number;
  /** Users uploading (then downloading) one file each at the same time. */
  users: number;
  /** Bytes of the range read from the middle of a file. */
  rangeBytes: number;
  /** Allowed growth of the gateway's RSS over idle while they do (the limit). */
  rssLimitMib: number;
  outDir: string;
}

export const USAGE = `npm run bench:files -- [options]

  --drivers LIST    file stores, comma-separated: ${DRIVERS.join(',')} (default: both)
  --size-mib N      size of each file (default 20)
  --runs N          sequential uploads, downloads and range reads per driver (default 3)
  --users N         users uploading, then downloading, one file each at once (default 10)
  --range-mib N     size of the range read from the middle of a file (default 1)
  --out DIR         where the JSON result goes (default bench-results)`;

const MiB = 2 ** 20;

const positive = (text: string | undefined, what: string, fallback: number): number => {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`--${what} needs a number > 0, got "${text}"`);
  return value;
};

export function parseFilesOptions(argv: string[]): FilesBenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      drivers: { type: 'string' },
      'size-mib': { type: 'string' },
      runs: { type: 'string' },
      users: { type: 'string' },
      'range-mib': { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const drivers = (values.drivers ?? DRIVERS.join(',')).split(',').map((d) => d.trim());
  for (const d of drivers)
    if (!(DRIVERS as readonly string[]).includes(d))
      throw new Error(`--drivers: unknown driver "${d}" (drivers: ${DRIVERS.join(', ')})`);
  const size = Math.round(positive(values['size-mib'], 'size-mib', 20) * MiB);
  const rangeBytes = Math.round(positive(values['range-mib'], 'range-mib', 1) * MiB);
  if (rangeBytes >= size) throw new Error('--range-mib must be smaller than --size-mib');
  return {
    drivers: [...new Set(drivers)] as Driver[],
    size,
    runs: Math.round(positive(values.runs, 'runs', 3)),
    users: Math.round(positive(values.users, 'users', 10)),
    rangeBytes,
    rssLimitMib: 100,
    outDir: values.out ?? 'bench-results',
  };
}
