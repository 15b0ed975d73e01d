// Scheduler microbenchmark (house style §27): picks per second for every scheduler at 10,
// 1,000 and 10,000 destinations with a realistic mix — each pick adds an active connection
// to the chosen dest and calls countsChanged(), and one pick in two ends a random dest's
// connection, so index maintenance is part of the cost. Each cell runs for about 0.3 s.
// Acceptance: every scheduler >= 1,000,000 picks/s at 1,000 destinations.

import { performance } from 'node:perf_hooks';
import type { LvsSched } from '../src/config/model.js';
import type { SchedDest, SchedPacket } from '../src/ipvs/scheduler.js';
import { createScheduler, SCHEDULER_NAMES } from '../src/ipvs/schedulers/index.js';
import { MH_TAB_SIZE } from '../src/ipvs/schedulers/mh.js';

const SIZES = [10, 1_000, 10_000];
const CELL_MS = 300;
const TARGET = 1_000_000;
const TARGET_SIZE = 1_000;

// A small deterministic PRNG (mulberry32) so runs are comparable.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeDests(n: number, rand: () => number): SchedDest[] {
  return Array.from({ length: n }, (_, i) => {
    const weight = 1 + Math.floor(rand() * 10);
    return {
      id: i + 1,
      address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      family: 'inet' as const,
      port: 80,
      weight,
      lastWeight: weight,
      activeConns: 0,
      inactConns: Math.floor(rand() * 50),
      persistConns: 0,
      overloaded: false,
    };
  });
}

/** Picks per second, or undefined when the kernel could not hold that many dests. */
function measure(name: LvsSched, n: number): number | undefined {
  if (name === 'mh' && n > MH_TAB_SIZE) return undefined;
  const rand = prng(n * 31 + name.length);
  const scheduler = createScheduler(name, {
    sched1: false,
    sched2: false,
    sched3: false,
    random: (k) => Math.floor(rand() * k),
    now: () => performance.now(),
  });
  const dests = makeDests(n, rand);
  scheduler.update(dests);
  // 4096 distinct clients and 256 destination addresses, drawn in a fixed rotation.
  const packets: SchedPacket[] = Array.from({ length: 4096 }, (_, i) => ({
    clientAddress: `100.64.${(i >> 8) & 255}.${i & 255}`,
    clientPort: 1024 + i,
    virtualAddress: `198.51.100.${i & 255}`,
    virtualPort: 80,
  }));
  const victims = Int32Array.from({ length: 8192 }, () => Math.floor(rand() * n));
  let picks = 0;
  let k = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < CELL_MS) {
    for (let i = 0; i < 1000; i++) {
      const d = scheduler.select(packets[k & 4095]!);
      if (d !== undefined) {
        d.activeConns++;
        scheduler.countsChanged(d);
      }
      if ((k & 1) === 1) {
        const v = dests[victims[k & 8191]!]!;
        if (v.activeConns > 0) {
          v.activeConns--;
          v.inactConns++;
          scheduler.countsChanged(v);
        }
      }
      k++;
    }
    picks += 1000;
    elapsed = performance.now() - start;
  }
  return (picks / elapsed) * 1000;
}

const fmt = (v: number | undefined): string =>
  v === undefined ? 'n/a' : `${(v / 1e6).toFixed(2)} M/s`;

const rows: string[][] = [];
let pass = true;
const failures: string[] = [];
for (const name of SCHEDULER_NAMES) {
  const row: string[] = [name];
  for (const n of SIZES) {
    const rate = measure(name, n);
    row.push(fmt(rate));
    if (n === TARGET_SIZE && (rate === undefined || rate < TARGET)) {
      pass = false;
      failures.push(name);
    }
  }
  rows.push(row);
}

const header = ['scheduler', ...SIZES.map((n) => `${n.toLocaleString('en-US')} dests`)];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]): string =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
console.log(`node ${process.version}, ${CELL_MS} ms per cell, picks/s incl. countsChanged`);
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
console.log('mh n/a at 10,000: more dests than the 4093 Maglev slots (the kernel refuses).');
console.log(
  pass
    ? `PASS: every scheduler >= ${TARGET.toLocaleString('en-US')} picks/s at ${TARGET_SIZE.toLocaleString('en-US')} dests`
    : `FAIL: below ${TARGET.toLocaleString('en-US')} picks/s at ${TARGET_SIZE.toLocaleString('en-US')} dests: ${failures.join(', ')}`,
);
