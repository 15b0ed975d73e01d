// Turns the proxy bench's runs into the summary of peers-and-benchmarks.md §4.5: medians with
// min–max per LB, latency added over direct, ratios against HAProxy and the naive proxy, and
// the issue's targets next to tandem's figures.

import type { IdleResult, RunFigures } from './measure.js';

export interface TargetResult {
  readonly name: string;
  readonly runs: readonly RunFigures[];
  readonly idle?: IdleResult;
  /** Why the target has no figures (e.g. tandem's data plane not built yet). */
  readonly unavailable?: string;
}

interface Stat {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function stat(xs: readonly number[]): Stat {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return { median: NaN, min: NaN, max: NaN };
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]! };
}

const MIB = 1024 * 1024;
const FIGURES = {
  keepAlive: (r: RunFigures) => r.keepAlive.requestsPerSec,
  close: (r: RunFigures) => r.close.requestsPerSec,
  mibPerS: (r: RunFigures) => r.mib.bytesPerSec / MIB,
  p50: (r: RunFigures) => r.latency.p50Us,
  p99: (r: RunFigures) => r.latency.p99Us,
  errors: (r: RunFigures) => r.keepAlive.errors + r.close.errors + r.mib.errors + r.latency.errors,
} as const;
type Figure = keyof typeof FIGURES;

export function figure(t: TargetResult, f: Figure): Stat {
  return stat(t.runs.map(FIGURES[f]));
}

const int = (n: number): string =>
  Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–';
const range = (s: Stat, fmt: (n: number) => string = int): string =>
  `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
const signed = (n: number): string => (Number.isFinite(n) ? `${n >= 0 ? '+' : ''}${int(n)}` : '–');

export function table(results: readonly TargetResult[]): string {
  const direct = results.find((r) => r.name === 'direct');
  const d50 = direct === undefined ? NaN : figure(direct, 'p50').median;
  const d99 = direct === undefined ? NaN : figure(direct, 'p99').median;
  const head = [
    'target',
    'keep-alive req/s',
    'new conn/s',
    'MiB/s (1 MiB body)',
    'p50 µs (added)',
    'p99 µs (added)',
    'kB/idle conn',
    'errors',
  ];
  const rows = results.map((r) => {
    if (r.unavailable !== undefined) return [r.name, `not available: ${r.unavailable}`];
    const p50 = figure(r, 'p50').median;
    const p99 = figure(r, 'p99').median;
    const idle =
      r.idle === undefined ? '–' : `${r.idle.kbPerConn.toFixed(1)} (${int(r.idle.held)})`;
    return [
      r.name,
      range(figure(r, 'keepAlive')),
      range(figure(r, 'close')),
      range(figure(r, 'mibPerS')),
      r.name === 'direct' ? int(p50) : `${int(p50)} (${signed(p50 - d50)})`,
      r.name === 'direct' ? int(p99) : `${int(p99)} (${signed(p99 - d99)})`,
      idle,
      int(figure(r, 'errors').max),
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

const ratio = (a: number, b: number): string =>
  Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}×` : '–';

/** `x/haproxy` and `x/naive` for each rate figure of every LB but the reference itself. */
export function ratios(results: readonly TargetResult[]): string[] {
  const by = new Map(results.filter((r) => r.unavailable === undefined).map((r) => [r.name, r]));
  const out: string[] = [];
  for (const [name, r] of by) {
    if (name === 'direct') continue;
    for (const refName of ['haproxy', 'naive']) {
      const ref = by.get(refName);
      if (ref === undefined || ref === r) continue;
      const parts = (['keepAlive', 'close', 'mibPerS'] as const).map(
        (f) => `${f} ${ratio(figure(r, f).median, figure(ref, f).median)}`,
      );
      out.push(`${name}/${refName}: ${parts.join(', ')}`);
    }
  }
  return out;
}

/** The issue's targets, judged for tandem (or reported as not measurable). */
export function targets(results: readonly TargetResult[]): string[] {
  const t = results.find((r) => r.name === 'tandem' && r.unavailable === undefined);
  const h = results.find((r) => r.name === 'haproxy' && r.unavailable === undefined);
  const verdict = (ok: boolean | undefined): string =>
    ok === undefined ? 'not measured' : ok ? 'PASS' : 'FAIL';
  const rel = (f: 'keepAlive' | 'close', want: number): string => {
    if (t === undefined || h === undefined) return verdict(undefined);
    const x = figure(t, f).median / figure(h, f).median;
    return `${x.toFixed(2)}× → ${verdict(x >= want)}`;
  };
  const kb = t?.idle?.kbPerConn;
  return [
    `keep-alive req/s ≥ 1.0× HAProxy: ${rel('keepAlive', 1.0)}`,
    `new conn/s ≥ 0.8× HAProxy: ${rel('close', 0.8)}`,
    `≤ 33 kB per idle connection: ${kb === undefined ? verdict(undefined) : `${kb.toFixed(1)} kB → ${verdict(kb <= 33)}`}`,
  ];
}
