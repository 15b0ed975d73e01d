// Advert timing as the wire sees it: tcpdump on a LAN host (nanosecond timestamps) records every
// VRRP advert, and we measure how far each inter-advert interval strays from advert_int. A late
// advert eats into the backups' Master_Down_Interval (3 intervals + skew): at advert_int 0.1
// with priority 100 the margin before a false takeover is only ~60 ms of accumulated delay.
// Meant for tandem's speaker while its proxy data plane is under wrk load; keepalived idle gives
// the reference.

import type { Lan } from '../../test/helpers/lan.js';
import { stopChild } from '../../test/helpers/processes.js';

export interface CapturedAdvert {
  /** Capture time, ns since the epoch. */
  readonly tNs: bigint;
  readonly src: string;
  readonly version: number;
  readonly vrid: number;
  readonly priority: number;
}

export interface JitterStats {
  readonly intervals: number;
  readonly meanIntervalMs: number;
  /** |interval − advert_int|, ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

// `1795770047.764931286 IP 10.0.0.1 > 224.0.0.18: VRRPv3, Advertisement, vrid 52, prio 150, …`
const LINE_RE =
  /^(\d+)\.(\d{9}) IP6? (\S+) > \S+: VRRPv(\d), Advertisement, vrid (\d+), prio (\d+)/;

/** One tcpdump line (`-nn -tt --time-stamp-precision=nano`), or undefined for anything else. */
export function parseTcpdumpLine(line: string): CapturedAdvert | undefined {
  const m = LINE_RE.exec(line);
  if (m === null) return undefined;
  return {
    tNs: BigInt(m[1]!) * 1_000_000_000n + BigInt(m[2]!),
    src: m[3]!,
    version: Number(m[4]),
    vrid: Number(m[5]),
    priority: Number(m[6]),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Captures VRRP adverts on the host's eth0 for durationMs. */
export async function captureAdverts(
  lan: Lan,
  host: string,
  durationMs: number,
): Promise<CapturedAdvert[]> {
  const argv = ['tcpdump', '-i', 'eth0', '-l', '-nn', '--time-stamp-precision=nano', '-tt'];
  const td = lan.exec(host, [...argv, 'ip proto 112 or ip6 proto 112']);
  try {
    const deadline = Date.now() + 5000;
    while (!td.output().includes('listening on')) {
      if (td.hasExited() || Date.now() > deadline) {
        throw new Error(`tcpdump did not start:\n${td.output()}`);
      }
      await sleep(20);
    }
    await sleep(durationMs);
  } finally {
    await stopChild(td, 2000, 'SIGINT');
  }
  return td
    .output()
    .split('\n')
    .map(parseTcpdumpLine)
    .filter((a) => a !== undefined);
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** Interval deviations of one sender's adverts (one src and VRID) from the nominal interval. */
export function jitterStats(
  adverts: readonly CapturedAdvert[],
  nominalMs: number,
  filter: { src?: string; vrid?: number } = {},
): JitterStats {
  const times = adverts
    .filter((a) => filter.src === undefined || a.src === filter.src)
    .filter((a) => filter.vrid === undefined || a.vrid === filter.vrid)
    .map((a) => a.tNs);
  const intervals: number[] = [];
  for (let i = 1; i < times.length; i++) intervals.push(Number(times[i]! - times[i - 1]!) / 1e6);
  const dev = intervals.map((x) => Math.abs(x - nominalMs)).sort((a, b) => a - b);
  return {
    intervals: intervals.length,
    meanIntervalMs: intervals.reduce((s, x) => s + x, 0) / intervals.length,
    p50Ms: quantile(dev, 0.5),
    p99Ms: quantile(dev, 0.99),
    maxMs: dev.at(-1) ?? NaN,
  };
}
