// Tables for the failover bench: per scenario the client-visible gap and the VRRP takeover time
// (median and max over the runs), tandem against keepalived as ratios, and per advert interval
// the jitter of the master's adverts, idle and under data-plane load.

import type { JitterStats } from './jitter.js';
import type { RunResult } from './scenario.js';

export interface ScenarioResult {
  readonly scenario: string;
  readonly pair: string;
  readonly runs: readonly RunResult[];
  readonly error?: string;
}

export interface JitterResult {
  readonly scenario: string;
  readonly impl: string;
  /** `idle`, or what the load achieved, e.g. `wrk 2900 req/s`. */
  readonly load: string;
  readonly nominalMs: number;
  readonly stats: JitterStats;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(0) : '–');
const ms2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '–');

function render(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function gapTable(results: readonly ScenarioResult[]): string {
  const head = ['scenario', 'pair', 'runs', 'gap med ms', 'gap max ms', 'takeover med', 'max'];
  const rows = results.map((r) => {
    const gaps = r.runs.map((x) => x.gapMs);
    const takeovers = r.runs.map((x) => x.takeoverMs);
    return [
      r.scenario + (r.error === undefined ? '' : ' (FAILED)'),
      r.pair,
      String(r.runs.length),
      ms(median(gaps)),
      ms(Math.max(...gaps)),
      ms(median(takeovers)),
      ms(Math.max(...takeovers)),
    ];
  });
  return render(head, rows);
}

export interface GapRatio {
  readonly scenario: string;
  /** numerator / denominator of the gap medians and maxima; NaN when a side is missing. */
  readonly median: number;
  readonly max: number;
}

/**
 * Per scenario, the gap of pair `num` over pair `den` (tandem/tandem over keepalived/keepalived
 * by default): below 1 means tandem's clients saw the shorter outage.
 */
export function gapRatios(
  results: readonly ScenarioResult[],
  num = 'tandem/tandem',
  den = 'keepalived/keepalived',
): GapRatio[] {
  const scenarios = [...new Set(results.map((r) => r.scenario))];
  const gaps = (scenario: string, pair: string): number[] =>
    results.find((r) => r.scenario === scenario && r.pair === pair)?.runs.map((x) => x.gapMs) ?? [];
  return scenarios.map((scenario) => {
    const a = gaps(scenario, num);
    const b = gaps(scenario, den);
    const ratio = (f: (xs: number[]) => number): number =>
      a.length === 0 || b.length === 0 ? NaN : f(a) / f(b);
    return {
      scenario,
      median: ratio(median),
      max: ratio((xs) => Math.max(...xs)),
    };
  });
}

export function ratioTable(ratios: readonly GapRatio[]): string {
  const x = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '–');
  const head = ['scenario', 'gap med tandem/keepalived', 'gap max tandem/keepalived'];
  return render(
    head,
    ratios.map((r) => [r.scenario, x(r.median), x(r.max)]),
  );
}

export function jitterTable(results: readonly JitterResult[]): string {
  const head = ['adverts', 'impl', 'load', 'intervals', 'mean ms', 'dev p50', 'dev p99', 'max'];
  const rows = results.map((r) => [
    r.scenario,
    r.impl,
    r.load,
    String(r.stats.intervals),
    ms2(r.stats.meanIntervalMs),
    ms2(r.stats.p50Ms),
    ms2(r.stats.p99Ms),
    ms2(r.stats.maxMs),
  ]);
  return render(head, rows);
}
