// Connection table benchmark: inserts 1,000,000 connections through the real entry point
// (inbound SYN → schedule → entry), then measures lookups and expiry, and reports the memory
// per tracked connection (heap + array buffers, after GC) against the 200-byte budget.
// Needs --expose-gc; re-executes itself with it when missing.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SchedulerFactory, SchedDest } from '../src/ipvs/scheduler.js';
import { IpvsTable } from '../src/ipvs/table.js';
import { TCP_FLAG } from '../src/ipvs/tcp-state.js';

const N = 1_000_000;
const BUDGET = 200;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url)], {
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}

/** Round robin over the destination list: enough to exercise the table, not the scheduler. */
const rr: SchedulerFactory = () => {
  let dests: readonly SchedDest[] = [];
  let i = 0;
  return {
    name: 'rr',
    update(list) {
      dests = [...list];
    },
    countsChanged() {
      // counts are read at select time
    },
    select() {
      i = (i + 1) % dests.length;
      return dests[i];
    },
  };
};

function memory(): number {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function clientOf(i: number): string {
  // 1M distinct (address, port) pairs over 16,384 client addresses.
  const a = i >>> 6;
  return `100.${64 + (a >>> 16)}.${(a >>> 8) & 255}.${a & 255}`;
}

let now = 0;
const table = new IpvsTable({ now: () => now, schedulers: () => rr });
const key = {
  kind: 'ip',
  protocol: 'TCP',
  family: 'inet',
  address: '192.0.2.10',
  port: 80,
} as const;
table.addService({ key, scheduler: 'rr' });
for (let d = 1; d <= 8; d++)
  table.addDest(key, { address: `10.0.0.${d}`, port: 80, weight: 1, method: 'masq' });

const clients: string[] = [];
for (let i = 0; i < N; i += 64) clients.push(clientOf(i));
const before = memory();

let t0 = performance.now();
for (let i = 0; i < N; i++) {
  table.inbound({
    protocol: 'TCP',
    family: 'inet',
    clientAddress: clients[i >>> 6]!,
    clientPort: 1024 + (i & 63),
    virtualAddress: '192.0.2.10',
    virtualPort: 80,
    tcpFlags: TCP_FLAG.SYN,
    bytes: 60,
  });
  if ((i & 0x3fff) === 0) now += 1; // time moves a little while inserting
}
const insertMs = performance.now() - t0;
if (table.size !== N) throw new Error(`expected ${N} entries, have ${table.size}`);
const after = memory();
const perConn = (after - before) / N;

const LOOKUPS = 2_000_000;
t0 = performance.now();
let found = 0;
for (let j = 0; j < LOOKUPS; j++) {
  const i = (j * 7919) % N;
  const id = table.lookup({
    protocol: 'TCP',
    family: 'inet',
    clientAddress: clients[i >>> 6]!,
    clientPort: 1024 + (i & 63),
    virtualAddress: '192.0.2.10',
    virtualPort: 80,
  });
  if (id >= 0) found++;
}
const lookupMs = performance.now() - t0;
if (found !== LOOKUPS) throw new Error(`lookups found ${found}`);

// Every entry is in SYN_RECV (60 s): jump past it and expire the whole table.
t0 = performance.now();
now += 61_000;
const { expired } = table.advance(now);
const expireMs = performance.now() - t0;
const left: number = table.size;
if (expired !== N || left !== 0) throw new Error(`expired ${expired}, left ${left}`);

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`connections tracked:        ${fmt(N)}`);
console.log(
  `memory per connection:      ${perConn.toFixed(1)} bytes (heap + array buffers, after GC; budget ${BUDGET})`,
);
console.log(
  `  of which typed arrays:    ${(table.connTableBytes / N).toFixed(1)} bytes (capacity incl. index and timer wheel)`,
);
console.log(`inserts (inbound SYN):      ${fmt(N / (insertMs / 1000))}/s (${fmt(insertMs)} ms)`);
console.log(
  `lookups:                    ${fmt(LOOKUPS / (lookupMs / 1000))}/s (${fmt(lookupMs)} ms)`,
);
console.log(
  `expiry:                     ${fmt(N / (expireMs / 1000))}/s (${fmt(expireMs)} ms for ${fmt(N)})`,
);
console.log(perConn <= BUDGET ? 'PASS: within budget' : 'FAIL: over budget');
process.exitCode = perConn <= BUDGET ? 0 : 1;
