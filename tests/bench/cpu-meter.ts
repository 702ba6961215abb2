/**
 * CPU time per process over a window, from /proc. A group is one process, or a process
 * tree (PostgreSQL: the postmaster and every backend, including backends that exited
 * during the window, whose time the postmaster reaps).
 */
import { descendantsOf, readAllStats, readStat, ticksPerSecond, treeTicks } from './proc.js';

export interface ProcessGroup {
  /** Row label, e.g. `gateway-1`, `postgres (all backends)`. */
  name: string;
  pid: number;
  tree: boolean;
  /** Servers shared with other users of the stack: their time includes others' work. */
  shared?: boolean;
}

export type CpuSnapshot = Map<string, number | null>;

/** Milliseconds of CPU each group has used so far (null: the process is gone). */
export function snapshotCpu(groups: readonly ProcessGroup[]): CpuSnapshot {
  const all = groups.some((g) => g.tree) ? readAllStats() : [];
  const msPerTick = 1000 / ticksPerSecond();
  const snap: CpuSnapshot = new Map();
  for (const group of groups) {
    if (group.tree) {
      const members = descendantsOf(group.pid, all);
      snap.set(group.name, members.length ? treeTicks(members[0]!, members) * msPerTick : null);
    } else {
      const stat = readStat(group.pid);
      snap.set(group.name, stat ? (stat.utime + stat.stime) * msPerTick : null);
    }
  }
  return snap;
}

export interface CpuUsage {
  name: string;
  shared: boolean;
  /** CPU milliseconds spent in the window. */
  ms: number | null;
}

export function cpuBetween(
  groups: readonly ProcessGroup[],
  before: CpuSnapshot,
  after: CpuSnapshot,
): CpuUsage[] {
  return groups.map((g) => {
    const a = before.get(g.name);
    const b = after.get(g.name);
    return {
      name: g.name,
      shared: g.shared ?? false,
      ms: a === null || a === undefined || b === null || b === undefined ? null : b - a,
    };
  });
}
