// `npm run bench:store -- [--max N] [--samples S] [--only growth|durability]`: the store
// benchmark (tests/bench/store.ts) against private FerretDB + PostgreSQL pairs, one per
// scenario, then a summary. Figures only; it asserts nothing. Takes ~20 min at --max 1000000.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, ensureDependencies, step } from '../lib/setup.mjs';
import { SYNC_COMMIT_DEFAULT, WAL_WRITER_DELAY } from '../stack/pg-config.mjs';
import { startPrivateStore } from './private-store.mjs';

const { values } = parseArgs({
  options: {
    max: { type: 'string', default: '1000000' },
    samples: { type: 'string', default: '40' },
    only: { type: 'string' },
    'pg-port': { type: 'string', default: '54349' },
    port: { type: 'string', default: '27047' },
  },
});
const MAX = Number(values.max);
const CHECKPOINTS = [0, 10_000, 100_000, 1_000_000].filter((n) => n < MAX).concat(MAX);

const SCENARIOS = [
  { mode: 'growth', name: 'companion GIN indexes', companions: true },
  // Sequential scans: fewer samples, or this scenario alone takes most of an hour at 1M.
  { mode: 'growth', name: 'FerretDB indexes only', companions: false, sampleShare: 0.25 },
  // The settings take turns on one server (tests/bench/store/durability.ts).
  { mode: 'durability', name: 'durability settings' },
].filter((s) => !values.only || s.mode === values.only);

/** Runs the TS benchmark, echoing its output; resolves the parsed RESULT line. */
function runBenchmark(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/bench/store.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let result = null;
    let pending = '';
    child.stdout.on('data', (chunk) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop();
      for (const line of lines) {
        if (line.startsWith('RESULT ')) result = JSON.parse(line.slice(7));
        else console.log(line);
      }
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 && result ? resolve(result) : reject(new Error(`store benchmark exited ${code}`)),
    );
  });
}

const fmt = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const table = (header, rows) =>
  [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');

function growthTable(name, result) {
  const ops = Object.keys(result.rows[0].results);
  const header = [
    'operation (ms, p50 / p99)',
    ...result.rows.map((r) => r.stored.toLocaleString('en')),
  ];
  const rows = ops.map((op) => [
    op,
    ...result.rows.map((r) => `${fmt(r.results[op].p50)} / ${fmt(r.results[op].p99)}`),
  ]);
  rows.push([
    'machine load average (1 min) after the probes',
    ...result.rows.map((r) => r.load.toFixed(1)),
  ]);
  rows.push([
    'bulk fill rate (docs/s, insertMany of 1,000)',
    ...result.rows.map((r) => (r.fillRate ? String(Math.round(r.fillRate)) : '–')),
  ]);
  const extra = Object.entries(result.extra).map(
    ([op, s]) => `- ${op}: p50 ${fmt(s.p50)} ms, p99 ${fmt(s.p99)} ms`,
  );
  return `### ${name}\n\n${table(header, rows)}\n\nAt ${result.rows.at(-1).stored.toLocaleString('en')}:\n${extra.join('\n')}`;
}

function durabilityTable(results) {
  const header = ['', ...results.map((r) => r.name)];
  const rows = [
    ...Object.keys(results[0].latency).map((op) => [
      `${op} (ms, p50 / p99)`,
      ...results.map((r) => `${fmt(r.latency[op].p50)} / ${fmt(r.latency[op].p99)}`),
    ]),
    ...Object.keys(results[0].rates).map((op) => [
      `${op} (median of rounds)`,
      ...results.map((r) => String(Math.round(r.rates[op]))),
    ]),
  ];
  return `### Commit cost by durability setting (wal_writer_delay ${WAL_WRITER_DELAY})\n\n${table(header, rows)}`;
}

async function main() {
  ensureDependencies();
  const dir = path.join(ROOT, '.stack', `bench-store-${values['pg-port']}`);
  const summary = [];
  let current = null;
  process.once('SIGINT', () => {
    // The servers are detached daemons: stop them before leaving.
    void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
  for (const scenario of SCENARIOS) {
    step(`Store benchmark: ${scenario.mode}, ${scenario.name}`);
    const store = await startPrivateStore({
      dir,
      pgPort: Number(values['pg-port']),
      mongoPort: Number(values.port),
      synchronousCommit: SYNC_COMMIT_DEFAULT,
      companions: scenario.companions ?? true,
    });
    current = store;
    try {
      const samples = Math.max(5, Math.round(Number(values.samples) * (scenario.sampleShare ?? 1)));
      const args = ['--mode', scenario.mode, '--samples', String(samples)];
      if (scenario.mode === 'growth') args.push('--checkpoints', CHECKPOINTS.join(','));
      const result = await runBenchmark(args, {
        MONGO_URL: store.mongoUrl,
        BENCH_PSQL: JSON.stringify(store.psql),
        BENCH_PG_LOG: store.pgLog,
      });
      summary.push(
        scenario.mode === 'growth' ? growthTable(scenario.name, result) : durabilityTable(result),
      );
    } finally {
      current = null;
      await store.stop();
    }
  }
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  step(`Summary (${os.cpus().length} cores, load average now ${load})`);
  console.log(summary.join('\n\n'));
}

main().catch((err) => {
  console.error(err.logFiles ? `${err.message} (see ${err.logFiles.join(', ')})` : err);
  process.exit(1);
});
