import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { percentile, summarize, formatMs } from '../bench/stats.js';
import {
  descendantsOf,
  parseContextSwitches,
  parseNetTcp,
  parseRssKib,
  parseStat,
  TCP_ESTABLISHED,
  TCP_LISTEN,
  treeTicks,
  type ProcStat,
} from '../bench/proc.js';
import type { CpuUsage } from '../bench/cpu-meter.js';
import { switchesTable } from '../bench/report.js';
import type { RateResult } from '../bench/steps/sustained.js';

describe('bench statistics', () => {
  test('nearest-rank percentiles', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(hundred, 50), 50);
    assert.equal(percentile(hundred, 99), 99);
    assert.equal(percentile(hundred, 100), 100);
    assert.equal(percentile([7], 99), 7);
    assert.equal(percentile([1, 2, 3, 4], 50), 2);
    assert.equal(percentile([1, 2, 3, 4], 0), 1);
    assert.equal(percentile([], 50), null);
  });

  test('summaries sort their input and keep it intact', () => {
    const values = [30, 10, 20];
    const s = summarize(values);
    assert.deepEqual(values, [30, 10, 20]);
    assert.deepEqual(s, { n: 3, p50: 20, p95: 30, p99: 30, max: 30, mean: 20 });
    assert.deepEqual(summarize([]), {
      n: 0,
      p50: null,
      p95: null,
      p99: null,
      max: null,
      mean: null,
    });
  });

  test('milliseconds print with a unit and a sensible precision', () => {
    assert.equal(formatMs(4.25), '4.3 ms');
    assert.equal(formatMs(1234.4), '1,234 ms');
    assert.equal(formatMs(12_500), '12.5 s');
    assert.equal(formatMs(null), '–');
  });
});

describe('bench /proc parsing', () => {
  test('a stat line whose command holds spaces and parentheses', () => {
    const line =
      '4242 (postgres: w (x)) S 4000 4242 4242 0 -1 4194560 1 2 3 4 150 25 7 3 20 0 1 0 9 10 11';
    assert.deepEqual(parseStat(line), {
      pid: 4242,
      comm: 'postgres: w (x)',
      ppid: 4000,
      utime: 150,
      stime: 25,
      cutime: 7,
      cstime: 3,
    });
    assert.throws(() => parseStat('garbage'), /unexpected/);
  });

  test('VmRSS from a status file', () => {
    assert.equal(parseRssKib('Name:\tnode\nVmHWM:\t  90000 kB\nVmRSS:\t   81234 kB\n'), 81234);
    assert.equal(parseRssKib('Name:\tzombie\nState:\tZ\n'), null);
  });

  test('context switches from a thread status file', () => {
    const status =
      'Name:\tnode\nState:\tS (sleeping)\nvoluntary_ctxt_switches:\t1200\nnonvoluntary_ctxt_switches:\t34\n';
    assert.equal(parseContextSwitches(status), 1234);
    assert.equal(parseContextSwitches('Name:\tnode\nvoluntary_ctxt_switches:\t5\n'), null);
  });

  test('listening and connected sockets from /proc/net/tcp', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5551 1 0',
      '   1: 0100007F:C350 0100007F:D5F9 01 00000000:00000000 00:00000000 00000000     0        0 5552 1 0',
    ].join('\n');
    assert.deepEqual(parseNetTcp(text), [
      { localPort: 6379, remotePort: 0, state: TCP_LISTEN, inode: 5551 },
      { localPort: 50000, remotePort: 54777, state: TCP_ESTABLISHED, inode: 5552 },
    ]);
  });

  test('a process tree: descendants and their CPU including what the root reaped', () => {
    const stat = (pid: number, ppid: number, utime: number, cutime = 0): ProcStat => ({
      pid,
      comm: 'p',
      ppid,
      utime,
      stime: 1,
      cutime,
      cstime: 0,
    });
    const all = [
      stat(1, 0, 5),
      stat(10, 1, 100, 40),
      stat(11, 10, 20),
      stat(12, 11, 3),
      stat(13, 1, 9),
    ];
    const tree = descendantsOf(10, all);
    assert.deepEqual(
      tree.map((s) => s.pid),
      [10, 11, 12],
    );
    // 100+1 + 20+1 + 3+1 of the live ones, plus 40 reaped by the root.
    assert.equal(treeTicks(tree[0]!, tree), 166);
    assert.deepEqual(descendantsOf(99, all), []);
  });
});

describe('bench context-switch table', () => {
  const step = (target: number, acked: number, cpu: CpuUsage[]) =>
    ({ target, acked, cpu, phase: 'ladder' }) as unknown as RateResult;

  test('switches per acknowledged message, per process and for the system', () => {
    const steps = [
      step(1000, 2000, [
        { name: 'gateway-1', shared: false, ms: 700, switches: 4000 },
        { name: 'postgres (all backends)', shared: true, ms: 300, switches: null },
        { name: 'generator (this process)', shared: false, ms: 200, switches: 9000 },
      ]),
      step(100, 200, [
        { name: 'gateway-1', shared: false, ms: 200, switches: 1000 },
        { name: 'postgres (all backends)', shared: true, ms: 100, switches: 600 },
        { name: 'generator (this process)', shared: false, ms: 100, switches: 500 },
      ]),
    ];
    const lines = switchesTable(steps).split('\n');
    assert.match(lines[0]!, /process\s+\| 100 msg\/s\s+\| 1,000 msg\/s/);
    const row = (name: string) =>
      lines
        .find((l) => l.startsWith(`| ${name}`))!
        .split('|')
        .slice(2, 4)
        .map((c) => c.trim());
    assert.deepEqual(row('gateway-1'), ['5.0', '2.0']);
    assert.deepEqual(row('postgres'), ['3.0', '–']);
    assert.deepEqual(row('generator'), ['2.5', '4.5']);
    // The generator is not part of the system; a process without a count adds nothing.
    assert.deepEqual(row('system total'), ['8.0', '2.0']);
  });
});
