// Runs wrk (pinned like the load generator of topology T1) and reads the figures the proxy
// bench reports from its text output; the raw text is kept so results can be re-derived.

import { spawnChild, stopChild } from '../../test/helpers/processes.js';

export interface WrkOptions {
  readonly url: string;
  readonly connections: number;
  readonly durationS: number;
  readonly threads?: number;
  readonly headers?: readonly string[];
  readonly cpus?: string;
  /** Run inside this network namespace (bench/kernel's client). */
  readonly ns?: string;
}

export interface WrkResult {
  readonly requestsPerSec: number;
  /** Transfer/sec in bytes. */
  readonly bytesPerSec: number;
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Socket errors (connect + read + write + timeout) and non-2xx/3xx responses. */
  readonly errors: number;
  readonly raw: string;
}

const UNIT: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

function num(raw: string, re: RegExp): number {
  const m = re.exec(raw);
  return m === null ? NaN : Number(m[1]);
}

/** wrk prints durations as 812.00us, 1.23ms, 2.00s, 1.00m. */
function durationMs(v: string | undefined): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(v ?? '');
  if (m === null) return NaN;
  const scale = { us: 1e-3, ms: 1, s: 1e3, m: 6e4 }[m[2] as 'us' | 'ms' | 's' | 'm'];
  return Number(m[1]) * scale;
}

export function parseWrk(raw: string): WrkResult {
  const transfer = /Transfer\/sec:\s+([\d.]+)([KMGT]?)B/.exec(raw);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(raw);
  const socketErrors = sock === null ? 0 : sock.slice(1).reduce((sum, n) => sum + Number(n), 0);
  return {
    requestsPerSec: num(raw, /Requests\/sec:\s+([\d.]+)/),
    bytesPerSec: transfer === null ? NaN : Number(transfer[1]) * (UNIT[transfer[2] ?? ''] ?? NaN),
    requests: num(raw, /(\d+) requests in/),
    p50Ms: durationMs(/^\s+50%\s+(\S+)/m.exec(raw)?.[1]),
    p99Ms: durationMs(/^\s+99%\s+(\S+)/m.exec(raw)?.[1]),
    errors: socketErrors + (num(raw, /Non-2xx or 3xx responses: (\d+)/) || 0),
    raw,
  };
}

export async function runWrk(opts: WrkOptions): Promise<WrkResult> {
  const args = [
    `-t${opts.threads ?? 1}`,
    `-c${opts.connections}`,
    `-d${opts.durationS}s`,
    '--latency',
    '--timeout',
    '5s',
    ...(opts.headers ?? []).flatMap((h) => ['-H', h]),
    opts.url,
  ];
  const child = spawnChild('wrk', args, {
    ...(opts.cpus === undefined ? {} : { cpus: opts.cpus }),
    ...(opts.ns === undefined ? {} : { ns: opts.ns }),
  });
  // wrk stops itself after -d; the deadline only guards against a hung run.
  const limit = setTimeout(
    () => void stopChild(child, 1000, 'SIGINT'),
    (opts.durationS + 20) * 1000,
  );
  const code = await child.exited;
  clearTimeout(limit);
  const raw = child.output();
  if (code !== 0) throw new Error(`wrk exited with ${code}:\n${raw}`);
  return parseWrk(raw);
}
