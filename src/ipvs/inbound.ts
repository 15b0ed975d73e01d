// The data planes' per-packet entry point for client→server packets (shared/reference/
// ipvs.md §3.2–§3.5; the kernel's ip_vs_in): find the connection; on a connection-opening
// SYN, expire a reusable old entry (conn_reuse_mode: TIME_WAIT/CLOSE, or FIN_WAIT of a DR/TUN
// connection with bit 2, or any entry to a quiesced destination with expire_nodest_conn) and
// reschedule; drop packets to a deleted destination unless expire_nodest_conn expires the entry
// and treats the packet as new; otherwise schedule. Then count, step the state machine and
// re-arm the timer. One-packet (-o) UDP connections expire right after their packet.

import { applyPacket, destOf, expireEntry } from './conn-table.js';
import { CONN_FLAG } from './conn-store.js';
import { PROTO_NUM, protoNum, type TableState } from './model.js';
import { findService, scheduleConn, type PacketKey } from './schedule.js';
import type { Family } from '../lib/inet.js';
import type { ForwardMethod, TunnelInfo } from './snapshot.js';
import { isTcpNewConn, TCP_STATE } from './tcp-state.js';

export interface InboundPacket extends PacketKey {
  /** TCP header flags byte (TCP_FLAG bits); ignored for UDP/SCTP. */
  readonly tcpFlags?: number;
  /** IP packet length, for InBytes. */
  readonly bytes: number;
}

/** Where the data plane sends the packet. `port` is the connection's dport. */
export interface ForwardTarget {
  readonly address: string;
  readonly family: Family;
  readonly port: number;
  readonly method: ForwardMethod;
  readonly tunnel?: TunnelInfo;
}

export type InboundVerdict =
  /** `conn` is -1 for one-packet connections (already gone). */
  | {
      readonly kind: 'forward';
      readonly conn: number;
      readonly created: boolean;
      readonly target: ForwardTarget;
    }
  /** A service matched but no destination is available: ICMP port unreachable. */
  | { readonly kind: 'no-destination' }
  /** Drop silently (destination deleted, or a port the non-persistent service does not serve). */
  | { readonly kind: 'drop' }
  /** Not for the virtual server: no service, or no connection and not an opening segment. */
  | { readonly kind: 'not-ours' };

function reusable(st: TableState, id: number): boolean {
  const s = st.store;
  const dest = destOf(st, id);
  if (st.sysctl.expireNodestConn && dest?.weight === 0) return true;
  if ((s.control[id] ?? -1) >= 0) return false;
  if (s.proto[id] !== PROTO_NUM.TCP) return false;
  const state = s.state[id];
  const flags = s.flags[id] ?? 0;
  return (
    state === TCP_STATE.TIME_WAIT ||
    state === TCP_STATE.CLOSE ||
    ((st.sysctl.connReuseMode & 2) !== 0 &&
      state === TCP_STATE.FIN_WAIT &&
      (flags & CONN_FLAG.NO_OUTPUT) !== 0)
  );
}

/** Find the live entry for a packet's inbound key, running its timer if it is already due. */
export function lookupConn(st: TableState, pkt: PacketKey): number {
  const caddr = st.addrs.peek(pkt.clientAddress, pkt.family);
  const vaddr = st.addrs.peek(pkt.virtualAddress, pkt.family);
  if (caddr < 0 || vaddr < 0) return -1;
  const id = st.store.lookup({
    proto: protoNum(pkt.protocol),
    caddr,
    cport: pkt.clientPort,
    vaddr,
    vport: pkt.virtualPort,
    keyFlags: pkt.family === 'inet6' ? CONN_FLAG.V6 : 0,
  });
  if (id >= 0 && st.wheel.expiresAt(id) <= st.now() && expireEntry(st, id, false)) return -1;
  return id;
}

export function targetOf(st: TableState, id: number): ForwardTarget {
  const dest = destOf(st, id);
  if (dest === undefined) throw new Error('connection without destination');
  return {
    address: dest.address,
    family: dest.family,
    port: st.store.dport[id] ?? 0,
    method: dest.method,
    ...(dest.tunnel === undefined ? {} : { tunnel: dest.tunnel }),
  };
}

export function inbound(st: TableState, pkt: InboundPacket): InboundVerdict {
  const tcp = pkt.protocol === 'TCP';
  const flags = pkt.tcpFlags ?? 0;
  const opening = tcp ? isTcpNewConn(flags, st.sysctl.sloppyTcp) : true;
  let id = lookupConn(st, pkt);
  if (id >= 0 && tcp && st.sysctl.connReuseMode !== 0 && isTcpNewConn(flags, false)) {
    if (reusable(st, id)) {
      if ((st.store.nControl[id] ?? 0) === 0) expireEntry(st, id, true);
      id = -1;
    }
  }
  if (id >= 0 && destOf(st, id)?.available !== true) {
    if (!st.sysctl.expireNodestConn) return { kind: 'drop' };
    expireEntry(st, id, true);
    id = -1;
  }
  let created = false;
  if (id < 0) {
    if (!opening) return { kind: 'not-ours' };
    const svc = findService(st, pkt);
    if (svc === undefined) return { kind: 'not-ours' };
    const caddr = st.addrs.acquire(pkt.clientAddress, pkt.family);
    const vaddr = st.addrs.acquire(pkt.virtualAddress, pkt.family);
    try {
      const r = scheduleConn(st, svc, pkt, caddr, vaddr);
      if (r.kind !== 'conn') return { kind: r.kind };
      id = r.id;
      created = true;
    } finally {
      st.addrs.release(caddr, pkt.family === 'inet6');
      st.addrs.release(vaddr, pkt.family === 'inet6');
    }
  }
  applyPacket(st, id, 'in', flags, pkt.bytes);
  const target = targetOf(st, id);
  if (((st.store.flags[id] ?? 0) & CONN_FLAG.ONE_PACKET) !== 0) {
    expireEntry(st, id, false);
    return { kind: 'forward', conn: -1, created, target };
  }
  return { kind: 'forward', conn: id, created, target };
}
