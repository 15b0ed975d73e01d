// Plain transcriptions of the kernel's per-connection helpers for the reference scans in the
// property tests: C int overheads and exact 64-bit products via BigInt, no shortcuts.

import type { SchedDest } from '../../../../src/ipvs/scheduler.js';

/** ip_vs_dest_conn_overhead as a C int. */
export const ohInt = (d: SchedDest): bigint =>
  BigInt.asIntN(32, (BigInt(d.activeConns) << 8n) + BigInt(d.inactConns));

/** (activeconns + 1) as a C int. */
export const qInt = (d: SchedDest): bigint => BigInt.asIntN(32, BigInt(d.activeConns) + 1n);

export const w = (d: SchedDest): bigint => BigInt(d.weight);
