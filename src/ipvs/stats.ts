// Statistics objects for services, destinations and the whole table (shared/reference/ipvs.md
// §5): raw monotonic counters, the zero point `-Z` stores (newer kernels report
// kstats − kstats0), and the estimator that turns counters into rates.

import {
  estimatorRates,
  estimatorReset,
  estimatorTick,
  newEstimator,
  type EstimatorState,
  type RawCounters,
} from './estimator.js';
import type { RateSnapshot, StatsSnapshot } from './snapshot.js';

export interface Stats {
  readonly raw: RawCounters;
  zero: RawCounters;
  readonly est: EstimatorState;
}

function emptyCounters(): RawCounters {
  return { conns: 0, inpkts: 0, outpkts: 0, inbytes: 0, outbytes: 0 };
}

export function newStats(): Stats {
  const raw = emptyCounters();
  return { raw, zero: emptyCounters(), est: newEstimator(raw) };
}

export function countConn(s: Stats): void {
  s.raw.conns++;
}

export function countIn(s: Stats, bytes: number): void {
  s.raw.inpkts++;
  s.raw.inbytes += bytes;
}

export function countOut(s: Stats, bytes: number): void {
  s.raw.outpkts++;
  s.raw.outbytes += bytes;
}

/** Counters another party kept (a kernel data plane), as a delta since its last report. */
export function addCounters(s: Stats, delta: Readonly<RawCounters>): void {
  s.raw.conns += delta.conns;
  s.raw.inpkts += delta.inpkts;
  s.raw.outpkts += delta.outpkts;
  s.raw.inbytes += delta.inbytes;
  s.raw.outbytes += delta.outbytes;
}

export function zeroStats(s: Stats): void {
  s.zero = { ...s.raw };
  estimatorReset(s.est, s.raw);
}

export function tickStats(s: Stats): void {
  estimatorTick(s.est, s.raw);
}

export function statsSnapshot(s: Stats): StatsSnapshot {
  return {
    conns: s.raw.conns - s.zero.conns,
    inpkts: s.raw.inpkts - s.zero.inpkts,
    outpkts: s.raw.outpkts - s.zero.outpkts,
    inbytes: s.raw.inbytes - s.zero.inbytes,
    outbytes: s.raw.outbytes - s.zero.outbytes,
  };
}

export function ratesSnapshot(s: Stats): RateSnapshot {
  return estimatorRates(s.est);
}
