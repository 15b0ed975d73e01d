// What the proxy bench records about the machine (versions, kernel, CPUs, socket settings and
// fd limits) and the busy-machine guard of peers-and-benchmarks.md §4.1: refuse to measure
// while something else loads the box, since one stray process skews a 2-core result.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { nofileHardLimit } from '../../test/helpers/processes.js';

export interface BenchEnv {
  readonly node: string;
  readonly kernel: string;
  readonly cpus: string;
  readonly cpuCount: number;
  readonly loadavg: readonly number[];
  readonly versions: Record<string, string>;
  readonly sysctl: Record<string, string>;
  readonly nofileHard: number;
}

function firstLine(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error !== undefined) return 'not installed';
  // nginx -v writes to stderr; haproxy and wrk to stdout.
  return `${r.stdout}\n${r.stderr}`.split('\n').find((l) => l.trim() !== '') ?? '?';
}

function sysctl(key: string): string {
  try {
    return readFileSync(`/proc/sys/${key.replaceAll('.', '/')}`, 'utf8')
      .trim()
      .replace(/\s+/g, ' ');
  } catch {
    return '?';
  }
}

export function benchEnv(): BenchEnv {
  return {
    node: process.version,
    kernel: release(),
    cpus: cpus()[0]?.model ?? '?',
    cpuCount: cpus().length,
    loadavg: loadavg(),
    versions: {
      nginx: firstLine('nginx', ['-v']),
      haproxy: firstLine('haproxy', ['-v']),
      wrk: firstLine('wrk', ['--version']),
    },
    sysctl: Object.fromEntries(
      [
        'net.core.somaxconn',
        'net.ipv4.ip_local_port_range',
        'net.ipv4.tcp_tw_reuse',
        'net.ipv4.tcp_max_syn_backlog',
      ].map((k) => [k, sysctl(k)]),
    ),
    nofileHard: nofileHardLimit(),
  };
}

/** An error message when the machine is too busy to measure, or undefined when it is quiet. */
export function busyReason(maxLoad: number): string | undefined {
  const [one = 0] = loadavg();
  if (one <= maxLoad) return undefined;
  const top = spawnSync('ps', ['-eo', 'pcpu,pid,comm', '--sort=-pcpu'], { encoding: 'utf8' });
  const busiest = top.stdout.split('\n').slice(0, 6).join('\n');
  return `machine is busy: 1-minute load ${one.toFixed(2)} > ${maxLoad} (set BENCH_FORCE=1 to measure anyway)\n${busiest}`;
}
