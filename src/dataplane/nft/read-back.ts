// What the kernel counted, back into the virtual server table: counter deltas per real server
// (IpvsTable.absorbKernel adds them to the dest, its service and the totals, so -Z, rates and
// /metrics work as with the proxy), and active/inactive connections: DR from the flow maps
// (an entry per flow; closing once its time left is the tcpfin timeout's), NAT from conntrack,
// as IPVS counts them.

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { IpvsTable, RawCounters, ServiceKey, ServiceSnapshot } from '../../ipvs/index.js';
import type { Built } from './build.js';
import { closingMs } from './dr.js';
import { countFlows, natConnKey, type CounterValue, type FlowCounts } from './kernel-read.js';
import { serviceId } from './names.js';
import type { KernelReader } from './reader.js';

function keyOf(svc: ServiceSnapshot): ServiceKey {
  return {
    kind: 'ip',
    protocol: svc.protocol ?? 'TCP',
    family: svc.family,
    address: svc.address ?? '',
    port: svc.port,
  };
}

/**
 * conntrack's table: /proc/net/nf_conntrack, or where the kernel lacks it (no
 * CONFIG_NF_CONNTRACK_PROCFS) `conntrack -L -o extended`, which prints the same lines.
 * Asynchronous: a table of 100,000 connections takes a few hundred milliseconds to print, and
 * the daemon's event loop also sends VRRP adverts. Never rejects: undefined when neither works.
 */
export async function readConntrack(): Promise<string | undefined> {
  try {
    return await readFile('/proc/net/nf_conntrack', 'utf8');
  } catch {
    return new Promise((resolve) => {
      execFile(
        'conntrack',
        ['-L', '-o', 'extended'],
        { encoding: 'utf8', timeout: 5000, maxBuffer: 256 * 1024 * 1024 },
        (err, stdout) => resolve(err === null ? stdout : undefined),
      );
    });
  }
}

export type CounterValues = Map<string, Map<string, CounterValue>>;

/**
 * Reads every table's counters, adds what grew since `last` to the table, and returns the new
 * readings and the new connections per service id (the counting schedulers' window). A counter
 * smaller than before was made anew (a table replaced, a server back): it counts from 0.
 */
export function absorbCounters(
  built: Built,
  reader: KernelReader,
  table: IpvsTable,
  last: CounterValues,
): { last: CounterValues; newConnections: Map<string, number> } {
  const newConnections = new Map<string, number>();
  const deltas = new Map<string, { svc: ServiceSnapshot; dest: number; raw: RawCounters }>();
  const seen: CounterValues = new Map();
  for (const [tableKey, refs] of built.counters) {
    const [family = '', name = ''] = tableKey.split(' ');
    const values = reader.counters(family, name);
    if (values === undefined) continue;
    const before = last.get(tableKey) ?? new Map<string, CounterValue>();
    seen.set(tableKey, new Map(values));
    for (const [counter, v] of values) {
      const ref = refs.get(counter);
      if (ref === undefined) continue;
      const old = before.get(counter);
      const dp = old === undefined || v.packets < old.packets ? v.packets : v.packets - old.packets;
      const db = old === undefined || v.bytes < old.bytes ? v.bytes : v.bytes - old.bytes;
      if (dp === 0 && db === 0) continue;
      const id = serviceId(ref.service);
      const k = `${id} ${ref.dest}`;
      const entry = deltas.get(k) ?? {
        svc: ref.service,
        dest: ref.dest,
        raw: { conns: 0, inpkts: 0, outpkts: 0, inbytes: 0, outbytes: 0 },
      };
      if (ref.kind === 'conns') {
        entry.raw.conns += dp;
        newConnections.set(id, (newConnections.get(id) ?? 0) + dp);
      } else if (ref.kind === 'in') {
        entry.raw.inpkts += dp;
        entry.raw.inbytes += db;
      } else {
        entry.raw.outpkts += dp;
        entry.raw.outbytes += db;
      }
      deltas.set(k, entry);
    }
  }
  for (const { svc, dest, raw } of deltas.values()) {
    const d = svc.dests[dest];
    if (d !== undefined) {
      table.absorbKernel(keyOf(svc), { address: d.address, port: d.port }, { delta: raw });
    }
  }
  return { last: seen, newConnections };
}

/** Whether any programmed service is NAT (its connection counts come from conntrack). */
export function hasNat(built: Built): boolean {
  for (const s of built.programmed.values()) if (s.method === 'nat') return true;
  return false;
}

/** Active/inactive connections of every DR real server, from the flow maps. */
export function absorbFlowConnections(built: Built, reader: KernelReader, table: IpvsTable): void {
  const closing = closingMs(table.timeouts());
  for (const s of built.programmed.values()) {
    const svc = s.planned.svc;
    if (s.method !== 'dr' || svc.flags.onePacket || s.stateless === true) continue;
    const list = reader.mapEntries(s.table.family, s.table.name, `${s.planned.prefix}_flows`);
    if (list === undefined) continue;
    const marks = countFlows(list, svc.protocol === 'UDP', closing);
    absorbCounts(table, svc, (i) => marks.get(s.planned.numbers[i] ?? 0));
  }
}

/** Active/inactive connections of every NAT real server, from conntrack's table. */
export function absorbNatConnections(
  built: Built,
  table: IpvsTable,
  tracked: ReadonlyMap<string, FlowCounts>,
): void {
  for (const s of built.programmed.values()) {
    if (s.method !== 'nat') continue;
    const svc = s.planned.svc;
    const proto = svc.protocol ?? 'TCP';
    absorbCounts(table, svc, (i) => {
      const d = svc.dests[i];
      if (d === undefined) return undefined;
      const port = d.port === 0 ? svc.port : d.port;
      return tracked.get(natConnKey(proto, svc.address ?? '', svc.port, d.address, port));
    });
  }
}

function absorbCounts(
  table: IpvsTable,
  svc: ServiceSnapshot,
  counts: (dest: number) => FlowCounts | undefined,
): void {
  svc.dests.forEach((d, i) => {
    const c = counts(i);
    table.absorbKernel(
      keyOf(svc),
      { address: d.address, port: d.port },
      { activeConns: c?.active ?? 0, inactConns: c?.inactive ?? 0 },
    );
  });
}
