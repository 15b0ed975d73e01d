// One measurement each, for one target (an LB's VIP or an nginx directly): wrk keep-alive and
// connection-per-request rates, 1 MiB throughput, latency at a fixed moderate rate from a
// separate client process, and RSS per idle connection. Load generators run on the load CPU.

import { fileURLToPath } from 'node:url';
import type { Listener } from '../../test/helpers/nginx.js';
import { rssKb, spawnChild, stopChild } from '../../test/helpers/processes.js';
import { runWrk, type WrkResult } from './wrk.js';

export interface Target {
  /** 'direct' or an LB name. */
  readonly name: string;
  readonly at: Listener;
  /** The LB process whose memory is measured (absent for direct). */
  readonly pid?: number;
}

export interface Settings {
  readonly durationS: number;
  readonly loadCpus: string;
  readonly latencyRate: number;
  readonly latencyConns: number;
  readonly idleConns: number;
}

export interface RunFigures {
  readonly keepAlive: WrkResult;
  readonly close: WrkResult;
  readonly mib: WrkResult;
  readonly latency: LatencyResult;
}

export interface LatencyResult {
  readonly samples: number;
  readonly errors: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly p999Us: number;
}

export interface IdleResult {
  readonly requested: number;
  readonly held: number;
  readonly failed: number;
  readonly rssBeforeKb: number;
  readonly rssAfterKb: number;
  readonly kbPerConn: number;
}

const LATENCY_CLIENT = fileURLToPath(new URL('./latency-client.js', import.meta.url));
const IDLE_CLIENT = fileURLToPath(new URL('./idle-client.js', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const url = (t: Target, path: string): string => `http://${t.at.address}:${t.at.port}${path}`;

export function warmUp(t: Target, s: Settings, seconds: number): Promise<WrkResult> {
  return runWrk({ url: url(t, '/empty'), connections: 50, durationS: seconds, cpus: s.loadCpus });
}

export async function measureLatency(t: Target, s: Settings): Promise<LatencyResult> {
  const args = [
    LATENCY_CLIENT,
    t.at.address,
    String(t.at.port),
    String(s.latencyRate),
    String(s.latencyConns),
    String(s.durationS * 1000),
    '/empty',
  ];
  const child = spawnChild(process.execPath, args, { cpus: s.loadCpus });
  const code = await child.exited; // the client bounds itself (duration + 10 s)
  const line = child.output().trim().split('\n').pop() ?? '';
  if (code !== 0) throw new Error(`latency client failed (${code}): ${child.output()}`);
  return JSON.parse(line) as LatencyResult;
}

export async function measureRun(t: Target, s: Settings): Promise<RunFigures> {
  const base = { durationS: s.durationS, cpus: s.loadCpus };
  const keepAlive = await runWrk({ ...base, url: url(t, '/empty'), connections: 50 });
  const close = await runWrk({
    ...base,
    url: url(t, '/empty'),
    connections: 50,
    headers: ['Connection: close'],
  });
  const mib = await runWrk({ ...base, url: url(t, '/1m'), connections: 4 });
  const latency = await measureLatency(t, s);
  return { keepAlive, close, mib, latency };
}

/**
 * RSS of the LB (and its children) before and after a separate client opens `idleConns`
 * connections through it and holds them; (after − before) / held connections.
 */
export async function measureIdle(t: Target, s: Settings): Promise<IdleResult> {
  if (t.pid === undefined) throw new Error('idle measurement needs an LB process');
  await sleep(1000); // let the last load's buffers drain before the baseline
  const rssBeforeKb = rssKb(t.pid, true);
  const args = [IDLE_CLIENT, t.at.address, String(t.at.port), String(s.idleConns), '90000'];
  const child = spawnChild(process.execPath, args, {
    cpus: s.loadCpus,
    nofile: s.idleConns + 1000,
  });
  try {
    const deadline = Date.now() + 60_000;
    let m: RegExpExecArray | null = null;
    while (m === null) {
      m = /ready (\d+) failed (\d+)/.exec(child.output());
      if (m !== null) break;
      if (child.hasExited()) throw new Error(`idle client exited: ${child.output()}`);
      if (Date.now() > deadline) throw new Error('idle client did not finish connecting in 60 s');
      await sleep(100);
    }
    await sleep(2000); // the LB connects upstream after accepting: let that settle too
    const rssAfterKb = rssKb(t.pid, true);
    const held = Number(m[1]);
    return {
      requested: s.idleConns,
      held,
      failed: Number(m[2]),
      rssBeforeKb,
      rssAfterKb,
      kbPerConn: held > 0 ? (rssAfterKb - rssBeforeKb) / held : NaN,
    };
  } finally {
    await stopChild(child);
    await sleep(1000); // closes propagate through the LB before the next measurement
  }
}
