import { parseArgs } from 'node:util';
import { DEFAULT_FAULTS, parseFaults, SHORT_FAULTS } from './faults.js';

export interface ChaosOptions {
  faults: string[];
  users: number;
  rate: number;
  readRate: number;
  /** Seconds per fault: 20 % before the fault, 40 % down, 40 % settling after recovery. */
  duration: number;
  stackDir: string;
  portOffset: number;
}

export const USAGE = `npm run chaos -- [--short] [--faults chat,redis,…] [--duration S] [--users N] [--rate R]
  --faults      comma-separated: chat, notification, user, auth, gateway (workers/gateway: kill -9),
                rabbitmq, redis, ferretdb, postgres, store (= ferretdb,postgres) (servers: kill -9);
                add ":stop" for a clean stop instead (SIGTERM / rabbitmqctl shutdown / pg_ctl stop);
                redis:rollback = kill -9 Redis and restart it without the writes of the phase
  --duration    seconds per fault (20 % before, 40 % down, 40 % after recovery); default 15, --short 8
  --users       simulated users (DM pairs + two groups of five); default 40
  --rate        messages per second, all users together; default 40
  --short       every part crashed once with short phases (~3 min, for CI)
  --stack-dir   the private stack's data directory; default .stack-chaos
  --port-offset added to every server port of the private stack; default 1000`;

export function parseOptions(argv: string[]): ChaosOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      faults: { type: 'string' },
      duration: { type: 'string' },
      users: { type: 'string', default: '40' },
      rate: { type: 'string', default: '40' },
      short: { type: 'boolean', default: false },
      'stack-dir': { type: 'string', default: '.stack-chaos' },
      'port-offset': { type: 'string', default: '1000' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const number = (name: string, raw: string, min: number, max: number) => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max)
      throw new Error(`--${name} must be a number from ${min} to ${max}, got "${raw}"`);
    return n;
  };
  const users = Math.round(number('users', values.users, 2, 1000));
  const rate = number('rate', values.rate, 0.1, 10_000);
  return {
    faults: parseFaults(values.faults ?? (values.short ? SHORT_FAULTS : DEFAULT_FAULTS).join(',')),
    users,
    rate,
    readRate: Math.max(0.5, users / 8),
    duration: number('duration', values.duration ?? (values.short ? '8' : '15'), 3, 3600),
    stackDir: values['stack-dir'],
    portOffset: Math.round(number('port-offset', values['port-offset'], 1, 10_000)),
  };
}
