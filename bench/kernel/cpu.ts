// CPU accounting for bench/kernel. A userspace balancer's cost is its own: utime + stime of its
// process and every descendant (/proc/<pid>/stat). A kernel data plane has no process: its work
// is softirq time spent on whichever CPU delivered the packet, which in namespaces is the CPU of
// the sender (veth hands the packet to the local backlog), so it cannot be told apart from the
// client's and the real servers' own kernel work. The bench therefore also reads the whole
// machine (/proc/stat) for every row, and charges a balancer with what the machine spent per
// request beyond the direct row's per-request cost (no balancer at all). Anything else running
// on the machine lands in that figure too: it is noisy by construction.

import { readFileSync } from 'node:fs';
import { descendants } from '../../test/helpers/processes.js';

/** Jiffies per second of /proc's tick counters (USER_HZ; 100 on every Linux we run on). */
export const USER_HZ = 100;

/** The aggregate `cpu` line of /proc/stat, in ticks. */
export interface MachineTicks {
  readonly user: number;
  readonly nice: number;
  readonly system: number;
  readonly idle: number;
  readonly iowait: number;
  readonly irq: number;
  readonly softirq: number;
  readonly steal: number;
}

export function parseProcStat(text: string): MachineTicks {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  const f = (line ?? '').trim().split(/\s+/).slice(1).map(Number);
  const at = (i: number): number => (Number.isFinite(f[i]) ? f[i]! : 0);
  return {
    user: at(0),
    nice: at(1),
    system: at(2),
    idle: at(3),
    iowait: at(4),
    irq: at(5),
    softirq: at(6),
    steal: at(7),
  };
}

export function machineTicks(): MachineTicks {
  return parseProcStat(readFileSync('/proc/stat', 'utf8'));
}

/** Seconds of CPU the machine spent between two samples: all busy time, and the kernel's part. */
export interface MachineCpu {
  readonly busyS: number;
  /** system + irq + softirq: where a kernel data plane's work shows up. */
  readonly kernelS: number;
}

export function machineDelta(a: MachineTicks, b: MachineTicks): MachineCpu {
  const d = (k: keyof MachineTicks): number => b[k] - a[k];
  const kernel = d('system') + d('irq') + d('softirq');
  return { busyS: (d('user') + d('nice') + kernel) / USER_HZ, kernelS: kernel / USER_HZ };
}

/** utime + stime of /proc/<pid>/stat, in ticks (0 once the process is gone). */
export function parsePidStat(text: string): number {
  // The command name may contain spaces and parentheses: fields resume after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return (Number.isFinite(utime) ? utime : 0) + (Number.isFinite(stime) ? stime : 0);
}

/** CPU ticks of pid and its descendants right now (threads are inside their process's figure). */
export function processTicks(pid: number): number {
  let sum = 0;
  for (const p of [pid, ...descendants(pid)]) {
    try {
      sum += parsePidStat(readFileSync(`/proc/${p}/stat`, 'utf8'));
    } catch {
      // exited meanwhile
    }
  }
  return sum;
}
