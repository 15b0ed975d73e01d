// Connection entries over their life (shared/reference/ipvs.md §2, §3): creation and binding
// to a destination, per-packet state transitions, timer re-arming and expiry. Expiry follows
// ip_vs_conn_expire: a template that still controls connections is deferred by 60 s (and keeps
// that 60 s timeout, as the kernel does); a connection expired *at once* (expire_nodest_conn,
// port reuse, destination flush) drops its template too when that template is left
// controlling nothing and was never assured. SCTP runs no state machine here: its connections
// stay in state NONE with a single timeout (a known simplification).

import { destRefs, bindConn, moveConn, unbindConn } from './dest.js';
import { CONN_FLAG } from './conn-store.js';
import { PROTO_NUM, trashKey, type Dest, type TableState } from './model.js';
import { countIn, countOut } from './stats.js';
import { isActiveTcpState, nextTcpState, TCP_STATE, type Direction } from './tcp-state.js';
import { NEW_CONN_TIMEOUT } from './timeouts.js';

/** State slot used for UDP entries (after the 11 TCP states). */
export const STATE_UDP = 11;
/** How long an expiring template that still controls connections is kept (ip_vs_conn.c). */
export const TEMPLATE_DEFER_MS = 60_000;
/** vport/dport of a template invalidated by ip_vs_check_template. */
export const INVALID_PORT = 0xffff;

export interface NewEntry {
  readonly proto: number;
  readonly caddr: number;
  readonly cport: number;
  readonly vaddr: number;
  readonly vport: number;
  readonly dport: number;
  readonly v6: boolean;
  readonly vmark: boolean;
  readonly template: boolean;
  readonly onePacket: boolean;
  readonly dest: Dest;
}

export function destOf(st: TableState, id: number): Dest | undefined {
  return st.dests[st.store.dest[id] ?? -1];
}

/** Create, hash and bind an entry; it is armed with the 3 s "new connection" timeout. */
export function createEntry(st: TableState, e: NewEntry): number {
  const s = st.store;
  const id = s.alloc();
  st.wheel.ensureCapacity(s.capacity);
  s.proto[id] = e.proto;
  s.caddr[id] = e.caddr;
  s.cport[id] = e.cport;
  s.vaddr[id] = e.vaddr;
  s.vport[id] = e.vport;
  s.dport[id] = e.dport;
  s.dest[id] = e.dest.slot;
  s.state[id] = e.proto === PROTO_NUM.UDP && !e.template ? STATE_UDP : TCP_STATE.NONE;
  s.timeout[id] = NEW_CONN_TIMEOUT * 1000;
  let flags = CONN_FLAG.IN_USE | CONN_FLAG.INACTIVE;
  if (e.template) flags |= CONN_FLAG.TEMPLATE;
  if (e.dest.method !== 'masq') flags |= CONN_FLAG.NO_OUTPUT;
  if (e.v6) flags |= CONN_FLAG.V6;
  if (e.vmark) flags |= CONN_FLAG.VMARK;
  if (e.onePacket) flags |= CONN_FLAG.ONE_PACKET;
  s.flags[id] = flags;
  st.addrs.retain(e.caddr, e.v6);
  st.addrs.retain(e.vaddr, e.v6 && !e.vmark);
  if (!e.onePacket) s.hash(id);
  bindConn(e.dest, e.template, true);
  st.wheel.arm(id, st.now() + (s.timeout[id] ?? 0));
  return id;
}

export function isTemplate(st: TableState, id: number): boolean {
  return ((st.store.flags[id] ?? 0) & CONN_FLAG.TEMPLATE) !== 0;
}

/** ip_vs_conn_put: restart the timer with the entry's current timeout. */
export function restartTimer(st: TableState, id: number): void {
  st.wheel.arm(id, st.now() + (st.store.timeout[id] ?? 0));
}

/** Link a connection to its template (ip_vs_control_add). */
export function addControl(st: TableState, id: number, template: number): void {
  st.store.control[id] = template;
  st.store.nControl[template] = (st.store.nControl[template] ?? 0) + 1;
}

function assureControl(st: TableState, id: number): void {
  const ct = st.store.control[id] ?? -1;
  if (ct >= 0 && isTemplate(st, ct))
    st.store.flags[ct] = (st.store.flags[ct] ?? 0) | CONN_FLAG.ASSURED;
}

/**
 * One packet of an existing connection: statistics (only while the destination is
 * available), the protocol's state transition and counters, then the timer re-armed.
 */
export function applyPacket(
  st: TableState,
  id: number,
  dir: Direction,
  tcpFlags: number,
  bytes: number,
): void {
  const s = st.store;
  const dest = destOf(st, id);
  if (dest?.available) {
    const count = dir === 'in' ? countIn : countOut;
    count(dest.stats, bytes);
    count(dest.svc.stats, bytes);
    count(st.totals, bytes);
  }
  const proto = s.proto[id] ?? 0;
  if (proto === PROTO_NUM.TCP) {
    let flags = s.flags[id] ?? 0;
    let inputOnly = false;
    if ((flags & CONN_FLAG.NO_OUTPUT) !== 0) {
      if (dir === 'out') flags &= ~CONN_FLAG.NO_OUTPUT;
      else inputOnly = true;
    }
    const state = s.state[id] ?? 0;
    const next = nextTcpState(state, dir, tcpFlags, inputOnly);
    if (next !== state) {
      const inactive = (flags & CONN_FLAG.INACTIVE) !== 0;
      const active = isActiveTcpState(next);
      if (dest !== undefined && inactive === active) {
        moveConn(dest, active);
        flags = active ? flags & ~CONN_FLAG.INACTIVE : flags | CONN_FLAG.INACTIVE;
      }
      s.flags[id] = flags;
      if (next === TCP_STATE.ESTABLISHED) assureControl(st, id);
    } else {
      s.flags[id] = flags;
    }
    s.state[id] = next;
    s.timeout[id] = st.timeouts.tcp[next] ?? 0;
  } else if (proto === PROTO_NUM.UDP) {
    s.timeout[id] = st.timeouts.udp;
    if (dir === 'out') assureControl(st, id);
  } else {
    s.timeout[id] = st.timeouts.sctp;
  }
  restartTimer(st, id);
}

/** ip_vs_check_template's neutralisation: rehash with ports 0xffff so lookups miss it. */
export function invalidateTemplate(st: TableState, id: number): void {
  const s = st.store;
  if (s.vport[id] === INVALID_PORT) return;
  s.unhash(id);
  s.vport[id] = INVALID_PORT;
  s.dport[id] = INVALID_PORT;
  s.cport[id] = 0;
  s.hash(id);
}

/**
 * The timer fired (or the entry is expired at once when `forced`). Returns false when a
 * template was deferred because it still controls connections.
 */
export function expireEntry(st: TableState, id: number, forced: boolean): boolean {
  const s = st.store;
  if (!s.inUse(id)) return true;
  if ((s.nControl[id] ?? 0) > 0) {
    s.timeout[id] = TEMPLATE_DEFER_MS;
    restartTimer(st, id);
    return false;
  }
  s.unhash(id);
  st.wheel.cancel(id);
  const flags = s.flags[id] ?? 0;
  const ct = s.control[id] ?? -1;
  if (ct >= 0) {
    const left = (s.nControl[ct] ?? 1) - 1;
    s.nControl[ct] = left;
    s.control[id] = -1;
    const ctFlags = s.flags[ct] ?? 0;
    const assuredTemplate =
      (ctFlags & CONN_FLAG.TEMPLATE) !== 0 && (ctFlags & CONN_FLAG.ASSURED) !== 0;
    if (forced && left === 0 && !assuredTemplate) expireEntry(st, ct, true);
  }
  const dest = destOf(st, id);
  if (dest !== undefined) {
    unbindConn(dest, (flags & CONN_FLAG.TEMPLATE) !== 0, (flags & CONN_FLAG.INACTIVE) !== 0);
    releaseIfUnused(st, dest);
  }
  const v6 = (flags & CONN_FLAG.V6) !== 0;
  st.addrs.release(s.caddr[id] ?? 0, v6);
  st.addrs.release(s.vaddr[id] ?? 0, v6 && (flags & CONN_FLAG.VMARK) === 0);
  s.free(id);
  st.onRelease?.(id);
  return true;
}

/** A deleted destination leaves the trash once nothing refers to it. */
export function releaseIfUnused(st: TableState, dest: Dest): void {
  if (dest.available || destRefs(dest) > 0) return;
  const key = trashKey(dest.svc.id, dest.address, dest.port);
  if (st.trash.get(key) === dest) st.trash.delete(key);
  st.dests[dest.slot] = undefined;
  st.freeDestSlots.push(dest.slot);
}

/** Run every timer due at `now`. */
export function expireDue(st: TableState, now: number): number {
  let expired = 0;
  for (const id of st.wheel.collectDue(now)) {
    if (st.store.inUse(id) && expireEntry(st, id, false)) expired++;
  }
  return expired;
}

/**
 * ip_vs_expire_nodest_conn_flush (kernel ≥ 5.9, with expire_nodest_conn): delete every entry
 * bound to an unavailable destination that controls nothing, and its template when that is
 * then left controlling nothing.
 */
export function flushNodestConns(st: TableState): void {
  const s = st.store;
  for (const id of [...s.ids()]) {
    if (!s.inUse(id) || (s.nControl[id] ?? 0) > 0) continue;
    const dest = destOf(st, id);
    if (dest === undefined || dest.available) continue;
    const ct = s.control[id] ?? -1;
    expireEntry(st, id, false);
    if (ct >= 0 && s.inUse(ct) && (s.nControl[ct] ?? 0) === 0) expireEntry(st, ct, false);
  }
}
