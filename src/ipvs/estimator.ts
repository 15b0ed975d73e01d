// The kernel's rate estimator (shared/reference/ipvs.md §5, ip_vs_est.c): every 2 s each
// counter's delta is scaled (conns/packets Δ<<9, bytes Δ<<4, i.e. per second ×2^10 / ×2^5)
// and folded into an EWMA with weight 2^-2 (`est += (r - est) >> 2`, arithmetic shift); the
// reported rates are rounded: (est + 0x1FF) >> 10 and (est + 0xF) >> 5. JavaScript's `>>` is
// 32-bit, so the shifts are done as multiplications and floored divisions on doubles, which
// are exact while values stay below 2^53 (bytes would need ~2^48 per 2 s to get there).

import type { RateSnapshot } from './snapshot.js';

export const ESTIMATOR_PERIOD_MS = 2000;

/** Raw counters the estimator samples (monotonic, never zeroed). */
export interface RawCounters {
  conns: number;
  inpkts: number;
  outpkts: number;
  inbytes: number;
  outbytes: number;
}

/** EWMA state: last sampled counters and the scaled averages. */
export interface EstimatorState {
  last: RawCounters;
  cps: number;
  inpps: number;
  outpps: number;
  inbps: number;
  outbps: number;
}

export function newEstimator(current: RawCounters): EstimatorState {
  return { last: { ...current }, cps: 0, inpps: 0, outpps: 0, inbps: 0, outbps: 0 };
}

/** `est += (r - est) >> 2` with an arithmetic (flooring) shift. */
function ewma(est: number, rate: number): number {
  return est + Math.floor((rate - est) / 4);
}

/** One 2-second tick. */
export function estimatorTick(e: EstimatorState, now: RawCounters): void {
  e.cps = ewma(e.cps, (now.conns - e.last.conns) * 512);
  e.inpps = ewma(e.inpps, (now.inpkts - e.last.inpkts) * 512);
  e.outpps = ewma(e.outpps, (now.outpkts - e.last.outpkts) * 512);
  e.inbps = ewma(e.inbps, (now.inbytes - e.last.inbytes) * 16);
  e.outbps = ewma(e.outbps, (now.outbytes - e.last.outbytes) * 16);
  e.last = { ...now };
}

/** `-Z`: the estimator restarts from the current counters with zero rates. */
export function estimatorReset(e: EstimatorState, now: RawCounters): void {
  e.last = { ...now };
  e.cps = e.inpps = e.outpps = e.inbps = e.outbps = 0;
}

export function estimatorRates(e: EstimatorState): RateSnapshot {
  return {
    cps: Math.floor((e.cps + 0x1ff) / 1024),
    inpps: Math.floor((e.inpps + 0x1ff) / 1024),
    outpps: Math.floor((e.outpps + 0x1ff) / 1024),
    inbps: Math.floor((e.inbps + 0xf) / 32),
    outbps: Math.floor((e.outbps + 0xf) / 32),
  };
}
