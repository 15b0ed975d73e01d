// bench/kernel's summary: medians with min–max over the runs, the director's CPU per 10,000
// requests, ratios against HAProxy and against direct, and issue 9's targets judged for tandem's
// DR row (and shown for the hand-written rule, the kernel's own reference).
//
// Director CPU per 10k requests: a userspace balancer's own process time; for a kernel plane the
// machine's system + irq + softirq time per request minus the direct row's in the same run (cpu.ts
// explains why it cannot be separated further). "machine over direct" applies that subtraction to
// all busy time for every row, as a cross-check on one scale.

import { stat } from '../proxy/report.js';
import type { Load, RowRun } from './measure.js';
import type { RowName } from './rows.js';

export interface RowResult {
  readonly name: RowName;
  /** Index i is run i + 1; undefined where the row failed in that run. */
  readonly runs: readonly (RowRun | undefined)[];
  /** Why the row has no figures (e.g. tandem's nft plane not built yet). */
  readonly unavailable?: string;
}

type Workload = 'keepAlive' | 'close';
const USERSPACE: ReadonlySet<RowName> = new Set(['haproxy', 'tandem-proxy']);

const perTenK = (seconds: number, requests: number): number =>
  requests > 0 ? (seconds / requests) * 1e4 * 1000 : NaN;

function rate(r: RowResult, w: Workload) {
  return stat(r.runs.map((x) => (x === undefined ? NaN : x[w].wrk.requestsPerSec)));
}

/** Per-run figure f of row r minus the direct row's in the same run, ms per 10k requests. */
function overDirect(
  r: RowResult,
  direct: RowResult | undefined,
  w: Workload,
  f: (l: Load) => number,
) {
  return stat(
    r.runs.map((x, i) => {
      const d = direct?.runs[i];
      if (x === undefined || d === undefined) return NaN;
      return perTenK(f(x[w]), x[w].wrk.requests) - perTenK(f(d[w]), d[w].wrk.requests);
    }),
  );
}

/** The director's CPU per 10k requests (ms): process time, or kernel time over direct. */
export function directorCpu(r: RowResult, direct: RowResult | undefined, w: Workload) {
  if (r.name === 'direct') return stat([]);
  if (USERSPACE.has(r.name)) {
    return stat(
      r.runs.map((x) => {
        const cpuS = x?.[w].processS;
        return x === undefined || cpuS === undefined ? NaN : perTenK(cpuS, x[w].wrk.requests);
      }),
    );
  }
  return overDirect(r, direct, w, (l) => l.machine.kernelS);
}

export function machineOverDirect(r: RowResult, direct: RowResult | undefined, w: Workload) {
  if (r.name === 'direct') return stat([]);
  return overDirect(r, direct, w, (l) => l.machine.busyS);
}

const int = (n: number): string =>
  Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–';
const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(0) : '–');
const range = (s: ReturnType<typeof stat>, fmt: (n: number) => string = int): string =>
  Number.isFinite(s.median) ? `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})` : '–';

export function table(results: readonly RowResult[]): string {
  const direct = results.find((r) => r.name === 'direct' && r.unavailable === undefined);
  const head = [
    'target',
    'keep-alive req/s',
    'new conn/s',
    'director ms/10k ka',
    'director ms/10k new',
    'machine+ ms/10k ka',
    'machine+ ms/10k new',
    'errors',
  ];
  const rows = results.map((r) => {
    if (r.unavailable !== undefined) return [r.name, `not available: ${r.unavailable}`];
    const errors = Math.max(
      0,
      ...r.runs.map((x) => (x === undefined ? 0 : x.keepAlive.wrk.errors + x.close.wrk.errors)),
    );
    return [
      r.name,
      range(rate(r, 'keepAlive')),
      range(rate(r, 'close')),
      range(directorCpu(r, direct, 'keepAlive'), ms),
      range(directorCpu(r, direct, 'close'), ms),
      range(machineOverDirect(r, direct, 'keepAlive'), ms),
      range(machineOverDirect(r, direct, 'close'), ms),
      int(errors),
    ];
  });
  const full = rows.filter((r) => r.length === head.length);
  const widths = head.map((h, i) => Math.max(h.length, ...full.map((r) => r[i]?.length ?? 0)));
  const line = (cells: readonly string[]): string =>
    cells.length === 2
      ? `${cells[0]!.padEnd(widths[0]!)}  ${cells[1]!}`
      : cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

const ratio = (a: number, b: number): number =>
  Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : NaN;
const times = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '–');

/** `row/haproxy` and `row/direct` for keep-alive and new-connection rates. */
export function ratios(results: readonly RowResult[]): string[] {
  const ok = results.filter((r) => r.unavailable === undefined);
  const out: string[] = [];
  for (const refName of ['haproxy', 'direct'] as const) {
    const ref = ok.find((r) => r.name === refName);
    if (ref === undefined) continue;
    for (const r of ok) {
      if (r === ref || r.name === 'direct') continue;
      const parts = (['keepAlive', 'close'] as const).map(
        (w) =>
          `${w === 'close' ? 'new conn' : 'keep-alive'} ${times(ratio(rate(r, w).median, rate(ref, w).median))}`,
      );
      out.push(`${r.name}/${refName}: ${parts.join(', ')}`);
    }
  }
  return out;
}

/** Issue 9's targets for one DR row against HAProxy and direct. */
export function targets(results: readonly RowResult[], name: RowName): string[] {
  const ok = (n: RowName): RowResult | undefined =>
    results.find((r) => r.name === n && r.unavailable === undefined);
  const row = ok(name);
  const h = ok('haproxy');
  const d = ok('direct');
  const judge = (x: number, want: number, atMost = false): string =>
    Number.isFinite(x)
      ? `${times(x)} → ${(atMost ? x <= want : x >= want) ? 'PASS' : 'FAIL'}`
      : 'not measured';
  const r = (w: Workload, ref: RowResult | undefined): number =>
    row === undefined || ref === undefined ? NaN : ratio(rate(row, w).median, rate(ref, w).median);
  const cpu = (w: Workload): number =>
    row === undefined || h === undefined
      ? NaN
      : ratio(directorCpu(row, d, w).median, directorCpu(h, d, w).median);
  return [
    `new conn/s ≥ 0.9× direct: ${judge(r('close', d), 0.9)}`,
    `new conn/s ≥ 1.4× HAProxy: ${judge(r('close', h), 1.4)}`,
    `keep-alive req/s ≥ 1.6× HAProxy: ${judge(r('keepAlive', h), 1.6)}`,
    `director CPU per 10k new conns ≤ 0.2× HAProxy's: ${judge(cpu('close'), 0.2, true)}`,
    `director CPU per 10k keep-alive reqs ≤ 0.2× HAProxy's: ${judge(cpu('keepAlive'), 0.2, true)}`,
  ];
}
