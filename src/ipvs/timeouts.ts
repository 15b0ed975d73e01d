// Per-state connection timeouts (shared/reference/ipvs.md §3.2): the kernel's tcp_timeouts
// table, UDP 300 s, and `ipvsadm --set tcp tcpfin udp`, which changes only the ESTABLISHED,
// FIN_WAIT and UDP entries (0 keeps a value; more than INT_MAX/HZ is rejected with ERANGE).

import { AppError } from '../lib/errors.js';
import type { Timeouts } from './snapshot.js';
import { TCP_STATE } from './tcp-state.js';

/** Seconds per TCP state index, in the kernel's order (NONE … SYNACK). */
const TCP_DEFAULTS = [2, 900, 120, 60, 120, 120, 10, 60, 30, 120, 120] as const;

export const UDP_DEFAULT_TIMEOUT = 300;
/** SCTP is tracked with one state here (see the module notes in conn-table.ts). */
export const SCTP_DEFAULT_TIMEOUT = 900;
/** A brand-new connection lives 3 s before its first state transition (ip_vs_conn_new). */
export const NEW_CONN_TIMEOUT = 3;
/** Largest timeout the kernel accepts: INT_MAX / HZ with HZ = 1000 (the strictest common HZ). */
export const MAX_TIMEOUT = Math.floor(2147483647 / 1000);

export interface TimeoutTable {
  /** Milliseconds per TCP state index. */
  readonly tcp: number[];
  udp: number;
  sctp: number;
}

export function defaultTimeoutTable(): TimeoutTable {
  return {
    tcp: TCP_DEFAULTS.map((s) => s * 1000),
    udp: UDP_DEFAULT_TIMEOUT * 1000,
    sctp: SCTP_DEFAULT_TIMEOUT * 1000,
  };
}

/** The three values `ipvsadm -L --timeout` shows, in seconds. */
export function getTimeouts(t: TimeoutTable): Timeouts {
  return {
    tcp: Math.floor((t.tcp[TCP_STATE.ESTABLISHED] ?? 0) / 1000),
    tcpfin: Math.floor((t.tcp[TCP_STATE.FIN_WAIT] ?? 0) / 1000),
    udp: Math.floor(t.udp / 1000),
  };
}

/** `--set`: seconds, 0 (or absent) leaves the entry unchanged; validated before any change. */
export function setTimeouts(t: TimeoutTable, update: Partial<Timeouts>): void {
  for (const v of [update.tcp, update.tcpfin, update.udp]) {
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > MAX_TIMEOUT)) {
      throw new AppError('ERR_IPVS_OUT_OF_RANGE');
    }
  }
  if (update.tcp) t.tcp[TCP_STATE.ESTABLISHED] = update.tcp * 1000;
  if (update.tcpfin) t.tcp[TCP_STATE.FIN_WAIT] = update.tcpfin * 1000;
  if (update.udp) t.udp = update.udp * 1000;
}
