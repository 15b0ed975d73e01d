// `ipvsadm -L -n` and its variants (--stats, --rate, --thresholds, --persistent-conn,
// --tun-info, --exact, --nosort, and a single service) as text, byte for byte, following
// ipvsadm 1.31's print_title / print_service_entry (shared/reference/ipvs.md §6.4). Every line
// ends in "\n", and the dest lines keep their trailing padding.

import type { DestSnapshot, ServiceSnapshot, TableSnapshot } from '../snapshot.js';
import { matchesServiceKey } from '../service-key.js';
import type { ServiceKey } from '../service-key.js';
import { largeNumber, left, right, uint } from './format.js';
import {
  forwardName,
  hasSchedFlags,
  listDestName,
  listServiceName,
  nonDefaultMask,
  schedFlagsText,
  tunnelInfoText,
} from './names.js';
import { sortDests, sortServices } from './sort.js';

/** The list flags of ipvsadm; unset means off. Names are never resolved (always `-n`). */
export interface ListOptions {
  readonly stats?: boolean;
  readonly rate?: boolean;
  readonly thresholds?: boolean;
  readonly persistentConn?: boolean;
  readonly tunInfo?: boolean;
  /** --exact: whole numbers in --stats / --rate. */
  readonly exact?: boolean;
  /** --nosort: the kernel's order instead of ipvsadm's. */
  readonly nosort?: boolean;
}

export type ListFormat = 'plain' | 'stats' | 'rate' | 'thresholds' | 'persistent-conn' | 'tun-info';

/** The first flag in ipvsadm's priority order decides the layout; the others are ignored. */
export function listFormat(options: ListOptions): ListFormat {
  if (options.stats === true) return 'stats';
  if (options.rate === true) return 'rate';
  if (options.thresholds === true) return 'thresholds';
  if (options.persistentConn === true) return 'persistent-conn';
  if (options.tunInfo === true) return 'tun-info';
  return 'plain';
}

const ADDR_TITLE = 'Prot LocalAddress:Port';
const DEST_TITLE = '  -> RemoteAddress:Port\n';

/** The two title lines (print_title). */
export function listTitle(format: ListFormat): string {
  switch (format) {
    case 'stats':
      return `${left(ADDR_TITLE, 33)} ${['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes'].map((s) => right(s, 8)).join(' ')}\n${DEST_TITLE}`;
    case 'rate':
      return `${left(ADDR_TITLE, 33)} ${['CPS', 'InPPS', 'OutPPS', 'InBPS', 'OutBPS'].map((s) => right(s, 8)).join(' ')}\n${DEST_TITLE}`;
    case 'thresholds':
      return `${left(ADDR_TITLE, 33)} ${['Uthreshold', 'Lthreshold', 'ActiveConn', 'InActConn'].map((s) => left(s, 10)).join(' ')}\n${DEST_TITLE}`;
    case 'persistent-conn':
      return `${left(ADDR_TITLE, 33)} ${left('Weight', 9)} ${left('PersistConn', 11)} ${left('ActiveConn', 10)} ${left('InActConn', 10)}\n${DEST_TITLE}`;
    case 'tun-info':
      return 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n';
    case 'plain':
      return 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';
  }
}

/** `IP Virtual Server version 1.2.1 (size=4096)` */
export function listHeader(table: TableSnapshot): string {
  return `IP Virtual Server version ${table.version} (size=${table.connTabSize})\n`;
}

function serviceLine(svc: ServiceSnapshot, format: ListFormat, exact: boolean): string {
  const name = listServiceName(svc);
  if (format === 'stats') {
    const s = svc.stats;
    const nums = [s.conns, s.inpkts, s.outpkts, s.inbytes, s.outbytes];
    return `${left(name, 33)}${nums.map((n) => largeNumber(n, exact)).join('')}\n`;
  }
  if (format === 'rate') {
    const r = svc.rates;
    const nums = [r.cps, r.inpps, r.outpps, r.inbps, r.outbps];
    return `${left(name, 33)}${nums.map((n) => largeNumber(n, exact)).join('')}\n`;
  }
  let line = `${name} ${svc.scheduler}`;
  if (hasSchedFlags(svc)) line += ` (${schedFlagsText(svc)})`;
  if (svc.flags.persistent) {
    line += ` persistent ${uint(svc.timeout)}`;
    const mask = nonDefaultMask(svc);
    if (mask !== undefined) line += ` mask ${mask}`;
    if (svc.pe !== undefined && svc.pe !== '') line += ` pe ${svc.pe}`;
  }
  if (svc.flags.onePacket) line += ' ops';
  return `${line}\n`;
}

function destLine(dest: DestSnapshot, format: ListFormat, exact: boolean): string {
  const name = `  -> ${left(listDestName(dest), 28)}`;
  switch (format) {
    case 'stats': {
      const s = dest.stats;
      const nums = [s.conns, s.inpkts, s.outpkts, s.inbytes, s.outbytes];
      return `${name}${nums.map((n) => largeNumber(n, exact)).join('')}\n`;
    }
    case 'rate': {
      const r = dest.rates;
      const raw = [r.cps, r.inpps, r.outpps].map((n) => ` ${right(uint(n), 8)}`).join('');
      return `${name}${raw}${largeNumber(r.inbps, exact)}${largeNumber(r.outbps, exact)}\n`;
    }
    case 'thresholds':
      return `${name} ${left(uint(dest.uThreshold), 10)} ${left(uint(dest.lThreshold), 10)} ${left(uint(dest.activeConns), 10)} ${left(uint(dest.inactConns), 10)}\n`;
    case 'persistent-conn':
      return `${name} ${left(dest.weight, 9)} ${left(uint(dest.persistConns), 11)} ${left(uint(dest.activeConns), 10)} ${left(uint(dest.inactConns), 10)}\n`;
    case 'tun-info':
      return `${name} ${left(forwardName(dest.method), 7)} ${left(tunnelInfoText(dest), 13)} ${left(dest.weight, 6)} ${left(uint(dest.activeConns), 10)} ${left(uint(dest.inactConns), 10)}\n`;
    case 'plain':
      return `${name} ${left(forwardName(dest.method), 7)} ${left(dest.weight, 6)} ${left(uint(dest.activeConns), 10)} ${left(uint(dest.inactConns), 10)}\n`;
  }
}

/** One service line and its destination lines (print_service_entry, listing forms). */
export function renderServiceEntry(svc: ServiceSnapshot, options: ListOptions = {}): string {
  const format = listFormat(options);
  const exact = options.exact === true;
  const dests = options.nosort === true ? svc.dests : sortDests(svc.dests);
  return serviceLine(svc, format, exact) + dests.map((d) => destLine(d, format, exact)).join('');
}

/** `ipvsadm -L -n [options]`: header, titles, every service (sorted unless --nosort). */
export function renderList(table: TableSnapshot, options: ListOptions = {}): string {
  const services = options.nosort === true ? table.services : sortServices(table.services);
  return (
    listHeader(table) +
    listTitle(listFormat(options)) +
    services.map((svc) => renderServiceEntry(svc, options)).join('')
  );
}

export type ServiceListing =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly error: 'No such service' };

/**
 * `ipvsadm -L -n -t VIP:port [options]`: the titles and that one service, no version header.
 * A missing service is ipvsadm's "No such service" (printed to stderr, exit status 1).
 */
export function renderServiceListing(
  table: TableSnapshot,
  key: ServiceKey,
  options: ListOptions = {},
): ServiceListing {
  const svc = table.services.find((s) => matchesServiceKey(s, key));
  if (svc === undefined) return { ok: false, error: 'No such service' };
  return { ok: true, text: listTitle(listFormat(options)) + renderServiceEntry(svc, options) };
}
