/** Command-line options of `npm run bench` (see README "Troubleshooting → Benchmark"). */
import { parseArgs } from 'node:util';

export const STEPS = ['idle', 'dm', 'group', 'conn', 'cpu', 'store', 'relay'] as const;
export type Step = (typeof STEPS)[number];

export interface BenchOptions {
  quick: boolean;
  steps: Set<Step>;
  gateways: number;
  /** Processes per worker role. */
  replicas: number;
  users: number;
  registerConcurrency: number;
  idleSamples: number;
  idleMaxSeconds: number;
  rates: number[];
  seconds: number;
  /** Traffic before idle and the ladder, not recorded (a fresh system is slow for a while). */
  warmupSeconds: number;
  bisectProbes: number;
  bisectSeconds: number;
  graceSeconds: number;
  groupSize: number;
  groupMessages: number;
  connections: number;
  /** Where the connection step writes heap snapshots of its gateway (before and after connecting). */
  heapSnapshotDir: string | null;
  /** Seconds the connection step may spend signing up its extra users. */
  registerBudgetSeconds: number;
  storeMessages: number;
  relayRates: number[];
  relaySeconds: number;
  outDir: string;
  /** Extra environment for every process of the system (`--set KEY=VALUE`). */
  env: Record<string, string>;
  /** Tracing on, every trace sampled, exported to a loopback OTLP receiver (`--tracing`). */
  tracing: boolean;
}

export const USAGE = `npm run bench -- [options]

  --quick                 small sizes (~2 min), for smoke checks
  --only LIST             steps to run, comma-separated: ${STEPS.join(',')} (default: all)
  --gateways N            gateway processes (default 1; users spread over them)
  --replicas N            processes per worker role (default 1)
  --users N               users in direct-message pairs (default 1000, quick 100)
  --rates LIST            sustained rates in msg/s (default 250,500,1000,2000)
  --duration S            seconds per rate (default 60, quick 8)
  --warmup S              seconds of traffic at 50 msg/s before idle and the ladder, not
                          recorded (default 20, quick 10; 0 = none)
  --bisect N              extra probes per latency bound between a held and a failed rate (default 3, quick 0)
  --bisect-duration S     seconds per probe (default 20)
  --group-size N          members of the big group (default 1000, quick 50)
  --group-messages N      messages sent to it one at a time (default 100, quick 10)
  --connections N         idle connections to one (fresh) gateway (default 10000, quick 500)
  --heap-snapshots DIR    the conn step writes its gateway's heap snapshots there (before and
                          after connecting; open them in Chrome DevTools' Memory tab)
  --register-budget S     seconds to sign up users for them (default 300); if too few, users get several sockets
  --store-messages N      messages stored before idle is measured again (default 1000000, quick 20000)
  --relay-rates LIST      rates tried against the bare relay (default 250,…,16000)
  --relay-duration S      seconds per relay rate (default 20, quick 5)
  --set KEY=VALUE         extra environment for the system's processes (repeatable)
  --tracing               tracing on in every process, every trace sampled, exported to an
                          OTLP/HTTP receiver the benchmark runs on 127.0.0.1 (counts spans)
  --out DIR               where the JSON result goes (default bench-results)

  Old options: --clients N (= --users), --rate R (= --rates R), --messages M (= --duration M/R);
  any of them alone runs only the dm step.`;

const list = (text: string, what: string): number[] => {
  const values = text.split(',').map((v) => Number(v.trim()));
  if (values.length === 0 || values.some((v) => !Number.isFinite(v) || v <= 0))
    throw new Error(`--${what} needs positive numbers separated by commas, got "${text}"`);
  return values;
};

const positive = (text: string | undefined, what: string, fallback: number): number => {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`--${what} needs a number ≥ 0, got "${text}"`);
  return value;
};

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      gateways: { type: 'string' },
      replicas: { type: 'string' },
      users: { type: 'string' },
      rates: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      bisect: { type: 'string' },
      'bisect-duration': { type: 'string' },
      'group-size': { type: 'string' },
      'group-messages': { type: 'string' },
      connections: { type: 'string' },
      'heap-snapshots': { type: 'string' },
      'register-budget': { type: 'string' },
      'store-messages': { type: 'string' },
      'relay-rates': { type: 'string' },
      'relay-duration': { type: 'string' },
      set: { type: 'string', multiple: true },
      tracing: { type: 'boolean', default: false },
      out: { type: 'string' },
      clients: { type: 'string' },
      messages: { type: 'string' },
      rate: { type: 'string' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const legacy =
    values.clients !== undefined || values.rate !== undefined || values.messages !== undefined;

  const steps = new Set<Step>();
  const only = values.only ?? (legacy ? 'dm' : STEPS.join(','));
  for (const name of only.split(',').map((s) => s.trim())) {
    if (!(STEPS as readonly string[]).includes(name))
      throw new Error(`--only: unknown step "${name}" (steps: ${STEPS.join(', ')})`);
    steps.add(name as Step);
  }

  const rates = values.rate
    ? list(values.rate, 'rate')
    : values.rates
      ? list(values.rates, 'rates')
      : quick
        ? [100, 200]
        : [250, 500, 1000, 2000];
  const seconds =
    values.messages !== undefined
      ? Math.max(1, positive(values.messages, 'messages', 0) / rates[0]!)
      : positive(values.duration, 'duration', quick ? 8 : 60);

  const env: Record<string, string> = {};
  for (const pair of values.set ?? []) {
    const m = pair.match(/^([A-Z_][A-Z0-9_]*)=(.*)$/);
    if (!m) throw new Error(`--set needs KEY=VALUE, got "${pair}"`);
    env[m[1]!] = m[2]!;
  }

  const users = positive(values.clients ?? values.users, 'users', quick ? 100 : 1000);
  return {
    quick,
    steps,
    gateways: Math.max(1, positive(values.gateways, 'gateways', 1)),
    replicas: Math.max(1, positive(values.replicas, 'replicas', 1)),
    users: Math.max(4, users + (users % 2)),
    registerConcurrency: 32,
    idleSamples: quick ? 60 : 300,
    idleMaxSeconds: quick ? 30 : 90,
    rates,
    seconds,
    warmupSeconds: positive(values.warmup, 'warmup', quick ? 10 : 20),
    bisectProbes: positive(values.bisect, 'bisect', quick || legacy ? 0 : 3),
    bisectSeconds: positive(values['bisect-duration'], 'bisect-duration', quick ? 5 : 20),
    graceSeconds: 15,
    groupSize: positive(values['group-size'], 'group-size', quick ? 50 : 1000),
    groupMessages: positive(values['group-messages'], 'group-messages', quick ? 10 : 100),
    connections: positive(values.connections, 'connections', quick ? 500 : 10_000),
    heapSnapshotDir: values['heap-snapshots'] ?? null,
    registerBudgetSeconds: positive(values['register-budget'], 'register-budget', quick ? 30 : 300),
    storeMessages: positive(values['store-messages'], 'store-messages', quick ? 20_000 : 1_000_000),
    relayRates: values['relay-rates']
      ? list(values['relay-rates'], 'relay-rates')
      : quick
        ? [250, 1000, 4000]
        : [250, 500, 1000, 2000, 4000, 8000, 16000],
    relaySeconds: positive(values['relay-duration'], 'relay-duration', quick ? 5 : 20),
    outDir: values.out ?? 'bench-results',
    env,
    tracing: values.tracing ?? false,
  };
}
