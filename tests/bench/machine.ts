/** The machine a run measured, and what else used its CPU meanwhile. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { readAllStats, ticksPerSecond, type ProcStat } from './proc.js';
import { ROOT } from '../support/stack-env.js';

export type Machine = ReturnType<typeof describeMachine>;

export function describeMachine() {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return null;
    }
  };
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? '?',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGiB: Math.round((os.freemem() / 2 ** 30) * 10) / 10,
    loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    commit: git('rev-parse', '--short', 'HEAD'),
    branch: git('rev-parse', '--abbrev-ref', 'HEAD'),
    uncommittedChanges: (git('status', '--porcelain') ?? '').length > 0,
  };
}

/** CPU time of every process at one moment, by pid (with its name, to spot pid reuse). */
export function snapshotAllProcesses(): Map<number, ProcStat> {
  return new Map(readAllStats().map((s) => [s.pid, s]));
}

/**
 * Processes outside this benchmark's own tree that used the most CPU between two
 * snapshots (≥ 1 s): what else ran on the machine during the measurement.
 */
export function otherLoad(
  before: Map<number, ProcStat>,
  after: Map<number, ProcStat>,
  exclude: ReadonlySet<number>,
): Array<{ pid: number; comm: string; cpuSeconds: number }> {
  const ours = new Set<number>([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of after.values()) {
      if (!ours.has(s.pid) && ours.has(s.ppid)) {
        ours.add(s.pid);
        grew = true;
      }
    }
  }
  const out: Array<{ pid: number; comm: string; cpuSeconds: number }> = [];
  for (const [pid, end] of after) {
    if (ours.has(pid) || exclude.has(pid)) continue;
    const start = before.get(pid);
    const base = start && start.comm === end.comm ? start.utime + start.stime : 0;
    const cpuSeconds = (end.utime + end.stime - base) / ticksPerSecond();
    if (cpuSeconds >= 1) out.push({ pid, comm: end.comm, cpuSeconds: Math.round(cpuSeconds) });
  }
  return out.sort((a, b) => b.cpuSeconds - a.cpuSeconds).slice(0, 10);
}
