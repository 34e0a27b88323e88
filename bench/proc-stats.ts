/**
 * Per-process CPU time and memory from /proc (Linux only): what the engine process itself costs,
 * independent of the load driver that shares the machine with it.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticks: number | undefined;

/** Clock ticks per second for /proc/<pid>/stat times (`getconf CLK_TCK`, normally 100). */
export function clockTicks(): number {
  if (ticks === undefined) {
    try {
      const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      ticks = Number.isInteger(n) && n > 0 ? n : 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

interface StatFields {
  ppid: number;
  utime: number;
  stime: number;
}

function readStat(pid: number | string): StatFields | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm (field 2) may contain spaces and parentheses: split after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  return { ppid: Number(rest[1]), utime: Number(rest[11]), stime: Number(rest[12]) };
}

/**
 * CPU time by thread name (user + system, ms): the main thread is named after the process,
 * libuv's pool `libuv-worker`, worker_threads by their own names, V8's `V8 Worker` and so on.
 */
export function threadCpuMs(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const tid of tids) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const name = tid === String(pid) ? 'main' : text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
    const s = readStat(`${pid}/task/${tid}`);
    if (!s) continue;
    byName.set(name, (byName.get(name) ?? 0) + ((s.utime + s.stime) * 1000) / clockTicks());
  }
  return byName;
}

/** CPU time (user + system, all threads) the process has used so far, in milliseconds. */
export function cpuMs(pid: number): number {
  const { user, system } = cpuSplitMs(pid);
  return user + system;
}

/** CPU time of a process (all threads) in user space and in the kernel on its behalf. */
export function cpuSplitMs(pid: number): { user: number; system: number } {
  const s = readStat(pid);
  if (!s) throw new Error(`process ${pid} is gone`);
  return { user: (s.utime * 1000) / clockTicks(), system: (s.stime * 1000) / clockTicks() };
}

export interface MemoryKb {
  /** Resident set size now (VmRSS). */
  rss: number;
  /** Peak resident set size (VmHWM). */
  hwm: number;
}

export function memoryKb(pid: number): MemoryKb {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) : NaN;
  };
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/**
 * The process that runs the engine: `rootPid` itself, or (when a launcher such as the tsx CLI
 * spawned a child node process) the deepest descendant whose command line mentions `marker`.
 */
export function findEngineProcess(rootPid: number, marker: string): number {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (!s) continue;
    const list = children.get(s.ppid) ?? [];
    list.push(Number(name));
    children.set(s.ppid, list);
  }
  let best = rootPid;
  let bestDepth = cmdline(rootPid).includes(marker) ? 0 : -1;
  const walk = (pid: number, depth: number) => {
    for (const child of children.get(pid) ?? []) {
      if (cmdline(child).includes(marker) && depth + 1 > bestDepth) {
        best = child;
        bestDepth = depth + 1;
      }
      walk(child, depth + 1);
    }
  };
  walk(rootPid, 0);
  return best;
}

export function describeProcess(pid: number): string {
  return `${pid} (${cmdline(pid)})`;
}

/** Scheduler state of the process's main thread: R running, S sleeping, D uninterruptible (disk) wait... */
export function mainThreadState(pid: number): string {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    return text.charAt(text.lastIndexOf(')') + 2);
  } catch {
    return '?';
  }
}

export interface IoCounters {
  /** read / write syscalls */
  syscr: number;
  syscw: number;
  /** bytes the process caused to be fetched from / sent to the storage layer */
  readBytes: number;
  writeBytes: number;
}

/** /proc/<pid>/io (zeros when the kernel does not expose it). */
export function ioCounters(pid: number): IoCounters {
  let text = '';
  try {
    text = readFileSync(`/proc/${pid}/io`, 'utf8');
  } catch {
    /* not available */
  }
  const field = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };
  return { syscr: field('syscr'), syscw: field('syscw'), readBytes: field('read_bytes'), writeBytes: field('write_bytes') };
}

export interface SchedStat {
  /** Time the thread spent on a CPU, ns. */
  onCpuNs: number;
  /** Time the thread was runnable but waiting for a CPU (run queue), ns. */
  runQueueNs: number;
}

/** /proc/<pid>/task/<pid>/schedstat of the main thread (zeros when unavailable). */
export function mainThreadSchedStat(pid: number): SchedStat {
  try {
    const [on, wait] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return { onCpuNs: on ?? 0, runQueueNs: wait ?? 0 };
  } catch {
    return { onCpuNs: 0, runQueueNs: 0 };
  }
}

export interface MachineCpu {
  /** Busy CPU time of all CPUs (everything but idle and iowait), ms. */
  busyMs: number;
  cpus: number;
}

/** Whole-machine CPU time from /proc/stat. */
export function machineCpu(): MachineCpu {
  const text = readFileSync('/proc/stat', 'utf8');
  const first = text.slice(0, text.indexOf('\n')).trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice (guest time is already in user)
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = first;
  const cpus = text.split('\n').filter((l) => /^cpu\d+ /.test(l)).length;
  return { busyMs: ((user + nice + system + irq + softirq + steal) * 1000) / clockTicks(), cpus };
}

/**
 * CPU time (ms) of this process plus its children that have been waited for (cutime, cstime):
 * for a process that runs ffmpeg, the encodes' CPU whatever else shares the machine.
 */
export function selfAndChildrenCpuMs(): number {
  const text = readFileSync('/proc/self/stat', 'utf8');
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // utime, stime, cutime, cstime are fields 14-17: rest[11..14].
  const t = Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]);
  return (t * 1000) / clockTicks();
}
