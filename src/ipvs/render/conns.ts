// `ipvsadm -L -n -c [--persistent-conn]`: the connection table as ipvsadm prints it after
// reading /proc/net/ip_vs_conn (shared/reference/ipvs.md §6.4, list_conn / print_conn). Rows
// come in the order given (the kernel's hash order; ipvsadm does not sort them).

import type { ConnSnapshot } from '../snapshot.js';
import { addrPort, expireText, left } from './format.js';

export interface ConnListOptions {
  /** --persistent-conn: adds the "pe name" and "pe_data" columns. */
  readonly persistentConn?: boolean;
}

/** The two title lines. */
export function connTitle(options: ConnListOptions = {}): string {
  const head = `pro expire ${left('state', 11)} ${left('source', 18)} ${left('virtual', 18)}`;
  if (options.persistentConn === true) {
    return `IPVS connection entries\n${head} ${left('destination', 18)} ${left('pe name', 16)} pe_data\n`;
  }
  return `IPVS connection entries\n${head} destination\n`;
}

/**
 * One row. With --persistent-conn, ipvsadm switches to the wide row only for entries that
 * carry a persistence engine (both pe name and data); its columns are 16/18 wide where the
 * title's are 18/16, and we keep that mismatch.
 */
export function connRow(conn: ConnSnapshot, options: ConnListOptions = {}): string {
  const start = `${left(conn.protocol, 3)} ${left(expireText(conn.expiresMs), 6)} ${left(conn.state, 11)}`;
  const client = left(addrPort(conn.clientAddress, conn.clientPort), 18);
  const virtual = left(addrPort(conn.virtualAddress, conn.virtualPort), 18);
  const dest = addrPort(conn.destAddress, conn.destPort);
  const pe = conn.peName ?? '';
  const data = conn.peData ?? '';
  if (options.persistentConn === true && pe !== '' && data !== '') {
    return `${start} ${client} ${virtual} ${left(dest, 16)} ${left(pe, 18)} ${data}\n`;
  }
  return `${start} ${client} ${virtual} ${dest}\n`;
}

export function renderConnections(
  conns: readonly ConnSnapshot[],
  options: ConnListOptions = {},
): string {
  return connTitle(options) + conns.map((c) => connRow(c, options)).join('');
}
