// Tables for the failover bench: per scenario the client-visible gap and the VRRP takeover time
// (median and max over the runs), and per advert interval the jitter of the master's adverts.

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
  readonly nominalMs: number;
  readonly stats: JitterStats;
}

function median(xs: readonly number[]): number {
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

export function jitterTable(results: readonly JitterResult[]): string {
  const head = ['adverts', 'impl', 'intervals', 'mean ms', 'dev p50 ms', 'dev p99 ms', 'max ms'];
  const rows = results.map((r) => [
    r.scenario,
    r.impl,
    String(r.stats.intervals),
    ms2(r.stats.meanIntervalMs),
    ms2(r.stats.p50Ms),
    ms2(r.stats.p99Ms),
    ms2(r.stats.maxMs),
  ]);
  return render(head, rows);
}
