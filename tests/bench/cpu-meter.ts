/**
 * CPU time and context switches per process over a window, from /proc. A group is one
 * process, or a process tree (PostgreSQL: the postmaster and every backend, including
 * backends that exited during the window, whose time the postmaster reaps; their context
 * switches are not reaped, so a tree's count covers the processes alive at the end).
 */
import {
  descendantsOf,
  readAllStats,
  readContextSwitches,
  readStat,
  ticksPerSecond,
  treeTicks,
} from './proc.js';

export interface ProcessGroup {
  /** Row label, e.g. `gateway-1`, `postgres (all backends)`. */
  name: string;
  pid: number;
  tree: boolean;
  /** Servers shared with other users of the stack: their time includes others' work. */
  shared?: boolean;
}

interface GroupSnapshot {
  /** CPU milliseconds so far; null: the process is gone. */
  ms: number | null;
  /** Context switches so far of each process of the group. */
  switches: Map<number, number>;
}

export type CpuSnapshot = Map<string, GroupSnapshot>;

function switchesOf(pids: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    const count = readContextSwitches(pid);
    if (count !== null) out.set(pid, count);
  }
  return out;
}

/** CPU and context switches each group has used so far. */
export function snapshotCpu(groups: readonly ProcessGroup[]): CpuSnapshot {
  const all = groups.some((g) => g.tree) ? readAllStats() : [];
  const msPerTick = 1000 / ticksPerSecond();
  const snap: CpuSnapshot = new Map();
  for (const group of groups) {
    if (group.tree) {
      const members = descendantsOf(group.pid, all);
      snap.set(group.name, {
        ms: members.length ? treeTicks(members[0]!, members) * msPerTick : null,
        switches: switchesOf(members.map((m) => m.pid)),
      });
    } else {
      const stat = readStat(group.pid);
      snap.set(group.name, {
        ms: stat ? (stat.utime + stat.stime) * msPerTick : null,
        switches: switchesOf([group.pid]),
      });
    }
  }
  return snap;
}

export interface CpuUsage {
  name: string;
  shared: boolean;
  /** CPU milliseconds spent in the window. */
  ms: number | null;
  /**
   * Context switches in the window: each a thread going to sleep (mostly to wait for input)
   * or being preempted. On a VM a sleep and its wake-up cost tens of microseconds of CPU.
   */
  switches: number | null;
}

/** Switches between two snapshots of one group (a process that started meanwhile counts whole). */
function switchesBetween(before: Map<number, number>, after: Map<number, number>): number | null {
  if (after.size === 0) return null;
  let total = 0;
  for (const [pid, count] of after) total += Math.max(0, count - (before.get(pid) ?? 0));
  return total;
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
      ms: a && b && a.ms !== null && b.ms !== null ? b.ms - a.ms : null,
      switches: a && b ? switchesBetween(a.switches, b.switches) : null,
    };
  });
}
