// One measurement of one row: wrk from the client's namespace, keep-alive and then one connection
// per request (`Connection: close`), each with the CPU the balancer process and the whole machine
// spent while it ran (cpu.ts). wrk and the real servers share the load CPU; userspace balancers
// have the other one.

import { runWrk, type WrkResult } from '../proxy/wrk.js';
import { machineDelta, machineTicks, processTicks, USER_HZ, type MachineCpu } from './cpu.js';
import type { ActiveRow } from './rows.js';

export interface Settings {
  readonly durationS: number;
  readonly warmS: number;
  readonly connections: number;
  readonly loadCpus: string;
}

export interface Load {
  readonly wrk: WrkResult;
  readonly machine: MachineCpu;
  /** CPU seconds of the balancer process and its descendants; undefined without one. */
  readonly processS: number | undefined;
}

export interface RowRun {
  readonly keepAlive: Load;
  readonly close: Load;
}

async function load(row: ActiveRow, s: Settings, close: boolean, durationS: number): Promise<Load> {
  const before = machineTicks();
  const p0 = row.pid === undefined ? undefined : processTicks(row.pid);
  const wrk = await runWrk({
    url: `http://${row.address}:${row.port}/empty`,
    connections: s.connections,
    durationS,
    cpus: s.loadCpus,
    ns: row.topo.lan.host(row.topo.client).ns,
    ...(close ? { headers: ['Connection: close'] } : {}),
  });
  const machine = machineDelta(before, machineTicks());
  const processS =
    row.pid === undefined || p0 === undefined ? undefined : (processTicks(row.pid) - p0) / USER_HZ;
  return { wrk, machine, processS };
}

export async function measureRow(row: ActiveRow, s: Settings): Promise<RowRun> {
  if (s.warmS > 0) await load(row, s, false, s.warmS);
  const keepAlive = await load(row, s, false, s.durationS);
  const close = await load(row, s, true, s.durationS);
  return { keepAlive, close };
}
