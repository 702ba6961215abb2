/**
 * Reading /proc: CPU time and memory of processes, and which process listens on a port.
 * The parsers are pure (unit-tested); the readers return null for a process that is gone.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export interface ProcStat {
  pid: number;
  comm: string;
  ppid: number;
  /** Clock ticks spent in user and kernel mode by the process itself. */
  utime: number;
  stime: number;
  /** Clock ticks of its children that exited and were waited for. */
  cutime: number;
  cstime: number;
}

/** Parses /proc/<pid>/stat; the command name may hold spaces and parentheses. */
export function parseStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`unexpected /proc stat line: ${text.slice(0, 80)}`);
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state): field n is rest[n - 3].
  const field = (n: number) => {
    const value = Number(rest[n - 3]);
    if (!Number.isFinite(value)) throw new Error(`/proc stat field ${n} missing`);
    return value;
  };
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    ppid: field(4),
    utime: field(14),
    stime: field(15),
    cutime: field(16),
    cstime: field(17),
  };
}

/** VmRSS of /proc/<pid>/status, in KiB (null when absent, e.g. a zombie). */
export function parseRssKib(status: string): number | null {
  const m = status.match(/^VmRSS:\s+(\d+)\s+kB/m);
  return m ? Number(m[1]) : null;
}

/**
 * Context switches of one thread from /proc/<pid>/task/<tid>/status: voluntary (it slept,
 * waiting for input) plus involuntary (preempted). Null when the fields are absent.
 */
export function parseContextSwitches(status: string): number | null {
  const voluntary = status.match(/^voluntary_ctxt_switches:\s+(\d+)/m);
  const involuntary = status.match(/^nonvoluntary_ctxt_switches:\s+(\d+)/m);
  return voluntary && involuntary ? Number(voluntary[1]) + Number(involuntary[1]) : null;
}

export interface TcpSocket {
  localPort: number;
  remotePort: number;
  /** Kernel state: 0x0A = LISTEN, 0x01 = ESTABLISHED. */
  state: number;
  inode: number;
}

export const TCP_LISTEN = 0x0a;
export const TCP_ESTABLISHED = 0x01;

/** Parses /proc/net/tcp or /proc/net/tcp6 (header line skipped). */
export function parseNetTcp(text: string): TcpSocket[] {
  const rows: TcpSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10) continue;
    const port = (address: string) => parseInt(address.slice(address.lastIndexOf(':') + 1), 16);
    rows.push({
      localPort: port(cols[1]!),
      remotePort: port(cols[2]!),
      state: parseInt(cols[3]!, 16),
      inode: Number(cols[9]),
    });
  }
  return rows;
}

/** Sums the CPU ticks of a process tree: live members' own time plus what the root reaped. */
export function treeTicks(root: ProcStat, members: readonly ProcStat[]): number {
  return members.reduce((sum, p) => sum + p.utime + p.stime, root.cutime + root.cstime);
}

// ---------------------------------------------------------------- readers

let clockTicks: number | null = null;

/** Clock ticks per second (`getconf CLK_TCK`, almost always 100). */
export function ticksPerSecond(): number {
  if (clockTicks === null) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const value = Number(out.stdout?.trim());
    clockTicks = Number.isFinite(value) && value > 0 ? value : 100;
  }
  return clockTicks;
}

export function readStat(pid: number): ProcStat | null {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

export function readRssKib(pid: number): number | null {
  try {
    return parseRssKib(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return null;
  }
}

/** Context switches of all threads of a process so far (null when it is gone). */
export function readContextSwitches(pid: number): number | null {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  let total = 0;
  for (const tid of tids) {
    try {
      total += parseContextSwitches(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8')) ?? 0;
    } catch {
      // a thread that exited meanwhile
    }
  }
  return total;
}

export function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** Every process's stat, for walking trees (processes that vanish meanwhile are skipped). */
export function readAllStats(): ProcStat[] {
  return allPids()
    .map(readStat)
    .filter((s): s is ProcStat => s !== null);
}

/** A process and all its descendants, from one snapshot of every process. */
export function descendantsOf(rootPid: number, stats: readonly ProcStat[]): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) {
    const list = children.get(s.ppid) ?? [];
    list.push(s);
    children.set(s.ppid, list);
  }
  const root = stats.find((s) => s.pid === rootPid);
  if (!root) return [];
  const out: ProcStat[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const next = queue.shift()!;
    out.push(next);
    queue.push(...(children.get(next.pid) ?? []));
  }
  return out;
}

function tcpSockets(): TcpSocket[] {
  const read = (file: string) => {
    try {
      return parseNetTcp(readFileSync(file, 'utf8'));
    } catch {
      return [];
    }
  };
  return [...read('/proc/net/tcp'), ...read('/proc/net/tcp6')];
}

/** Socket inodes a process holds open. */
function socketInodes(pid: number): Set<number> {
  const inodes = new Set<number>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const m = readlinkSync(`/proc/${pid}/fd/${fd}`).match(/^socket:\[(\d+)\]$/);
      if (m) inodes.add(Number(m[1]));
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** The process listening on TCP `port` (any address), or null. */
export function listenerOf(port: number): number | null {
  const wanted = new Set(
    tcpSockets()
      .filter((s) => s.state === TCP_LISTEN && s.localPort === port)
      .map((s) => s.inode),
  );
  if (wanted.size === 0) return null;
  for (const pid of allPids()) {
    for (const inode of socketInodes(pid)) if (wanted.has(inode)) return pid;
  }
  return null;
}

/** Processes that `pid` has TCP connections to (as a client), found by their listening port. */
export function upstreamsOf(pid: number): number[] {
  const mine = socketInodes(pid);
  const sockets = tcpSockets();
  const ports = new Set(
    sockets
      .filter((s) => s.state === TCP_ESTABLISHED && mine.has(s.inode))
      .map((s) => s.remotePort),
  );
  const listening = new Set(
    sockets.filter((s) => s.state === TCP_LISTEN && ports.has(s.localPort)).map((s) => s.localPort),
  );
  return [...listening].map(listenerOf).filter((p): p is number => p !== null && p !== pid);
}

/** Soft limit of open files of this process (from /proc/self/limits). */
export function openFilesLimit(): number | null {
  try {
    const m = readFileSync('/proc/self/limits', 'utf8').match(/^Max open files\s+(\d+|unlimited)/m);
    if (!m) return null;
    return m[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(m[1]);
  } catch {
    return null;
  }
}
