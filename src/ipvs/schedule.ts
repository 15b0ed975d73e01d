// Scheduling a new connection (shared/reference/ipvs.md §0 lookup order, §2 persistence, the
// kernel's ip_vs_service_find / ip_vs_schedule / ip_vs_sched_persist). Persistent services
// look up a template keyed by (protocol, client address masked to the granularity, cport 0,
// VIP, vport) — vport 0 for FTP and port-0 services, protocol IP and the mark in place of the
// VIP for fwmark services — validate it (destination available; not quiesced when
// expire_quiescent_template is set; invalid ones are neutralised), otherwise ask the
// scheduler and create one. The new connection is then controlled by the template, whose
// timer restarts. "No destination available" is a value.

import type { Family } from '../lib/inet.js';
import { ipv4Mask, maskIpv6 } from './addr-pool.js';
import {
  addControl,
  createEntry,
  destOf,
  expireEntry,
  invalidateTemplate,
  restartTimer,
} from './conn-table.js';
import { CONN_FLAG } from './conn-store.js';
import { PROTO_NUM, protoNum, type Dest, type Service, type TableState } from './model.js';
import type { ServiceProtocol } from './snapshot.js';
import { countConn } from './stats.js';

const FTP_PORT = 21;

/** The packet that may open a connection. */
export interface PacketKey {
  readonly protocol: ServiceProtocol;
  readonly family: Family;
  /** The packet's firewall mark (0 or absent: none). */
  readonly fwmark?: number;
  readonly clientAddress: string;
  readonly clientPort: number;
  readonly virtualAddress: string;
  readonly virtualPort: number;
}

export type ScheduleResult =
  | { readonly kind: 'conn'; readonly id: number; readonly dest: Dest }
  | { readonly kind: 'no-destination'; readonly service: Service }
  | { readonly kind: 'drop' };

export function ipServiceId(p: ServiceProtocol, f: Family, address: string, port: number) {
  return `${p}|${f}|${address}|${port}`;
}

export function fwmarkServiceId(f: Family, fwmark: number): string {
  return `FWM|${f}|${fwmark}`;
}

/** fwmark first, then (proto, VIP, port), then FTP data ports, then the port-0 service. */
export function findService(st: TableState, pkt: PacketKey): Service | undefined {
  const mark = pkt.fwmark ?? 0;
  if (mark !== 0) {
    const svc = st.services.get(fwmarkServiceId(pkt.family, mark));
    if (svc !== undefined) return svc;
  }
  const at = (port: number) =>
    st.services.get(ipServiceId(pkt.protocol, pkt.family, pkt.virtualAddress, port));
  const svc = at(pkt.virtualPort);
  if (svc !== undefined) return svc;
  if (pkt.protocol === 'TCP' && (pkt.virtualPort === 20 || pkt.virtualPort >= 1024)) {
    const ftp = at(FTP_PORT);
    if (ftp?.flags.persistent) return ftp;
  }
  return pkt.virtualPort === 0 ? undefined : at(0);
}

function countNewConn(st: TableState, dest: Dest): void {
  countConn(dest.stats);
  countConn(dest.svc.stats);
  countConn(st.totals);
}

function isOnePacket(svc: Service, pkt: PacketKey): boolean {
  return svc.flags.onePacket && pkt.protocol === 'UDP';
}

/** Schedule and create the connection entry for `pkt` (caddr/vaddr already encoded). */
export function scheduleConn(
  st: TableState,
  svc: Service,
  pkt: PacketKey,
  caddr: number,
  vaddr: number,
): ScheduleResult {
  if (svc.flags.persistent) return schedulePersistent(st, svc, pkt, caddr, vaddr);
  if (svc.fwmark === 0 && pkt.virtualPort !== svc.port) return { kind: 'drop' };
  const dest = svc.scheduler.select(pkt) as Dest | undefined;
  if (dest === undefined) return { kind: 'no-destination', service: svc };
  const id = createEntry(st, {
    proto: protoNum(pkt.protocol),
    caddr,
    cport: pkt.clientPort,
    vaddr,
    vport: pkt.virtualPort,
    dport: dest.port !== 0 ? dest.port : pkt.virtualPort,
    v6: pkt.family === 'inet6',
    vmark: false,
    template: false,
    onePacket: isOnePacket(svc, pkt),
    dest,
  });
  countNewConn(st, dest);
  return { kind: 'conn', id, dest };
}

/** ip_vs_check_template: usable, or neutralised and reported unusable. */
function templateValid(st: TableState, id: number): boolean {
  const dest = destOf(st, id);
  const ok =
    dest !== undefined &&
    dest.available &&
    !(st.sysctl.expireQuiescentTemplate && dest.weight === 0);
  if (!ok) invalidateTemplate(st, id);
  return ok;
}

function schedulePersistent(
  st: TableState,
  svc: Service,
  pkt: PacketKey,
  caddr: number,
  vaddr: number,
): ScheduleResult {
  const v6 = pkt.family === 'inet6';
  const samePort = pkt.virtualPort === svc.port;
  let tProto = protoNum(pkt.protocol);
  let tVaddr = vaddr;
  let tVport = 0;
  let vmark = false;
  if (samePort) {
    if (svc.port !== FTP_PORT) tVport = pkt.virtualPort;
  } else if (svc.fwmark !== 0) {
    tProto = PROTO_NUM.IP;
    tVaddr = svc.fwmark;
    vmark = true;
  }
  const snet = v6
    ? st.addrs.acquire(maskIpv6(pkt.clientAddress, svc.netmask), 'inet6')
    : (caddr & ipv4Mask(svc.netmask)) >>> 0;
  try {
    const keyFlags = CONN_FLAG.TEMPLATE | (v6 ? CONN_FLAG.V6 : 0);
    const key = { proto: tProto, caddr: snet, cport: 0, vaddr: tVaddr, vport: tVport, keyFlags };
    let ct = st.store.lookup(key);
    if (ct >= 0 && st.wheel.expiresAt(ct) <= st.now() && expireEntry(st, ct, false)) ct = -1;
    let dest: Dest | undefined;
    if (ct >= 0 && templateValid(st, ct)) {
      dest = destOf(st, ct);
    } else {
      dest = svc.scheduler.select(pkt) as Dest | undefined;
      if (dest === undefined) return { kind: 'no-destination', service: svc };
      ct = createEntry(st, {
        proto: tProto,
        caddr: snet,
        cport: 0,
        vaddr: tVaddr,
        vport: tVport,
        dport: samePort && svc.port !== FTP_PORT ? dest.port : 0,
        v6,
        vmark,
        template: true,
        onePacket: false,
        dest,
      });
      st.store.timeout[ct] = svc.timeout * 1000;
    }
    if (dest === undefined) return { kind: 'no-destination', service: svc };
    const id = createEntry(st, {
      proto: protoNum(pkt.protocol),
      caddr,
      cport: pkt.clientPort,
      vaddr,
      vport: pkt.virtualPort,
      dport: samePort && dest.port !== 0 ? dest.port : pkt.virtualPort,
      v6,
      vmark: false,
      template: false,
      onePacket: isOnePacket(svc, pkt),
      dest,
    });
    addControl(st, id, ct);
    restartTimer(st, ct);
    countNewConn(st, dest);
    return { kind: 'conn', id, dest };
  } finally {
    if (v6) st.addrs.release(snet, true);
  }
}
