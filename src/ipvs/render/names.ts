// The words ipvsadm prints for a service and a destination (shared/reference/ipvs.md §6.4):
// the service name in the listing (`TCP  VIP:port`, `FWM  1`) and in save rules
// (`-t VIP:port`, `-f 1 -6`), the forwarding method in both forms, the scheduler flags, the
// persistence mask and the tunnel column. Names are never resolved: tandem always prints the
// numeric form, so `-L` behaves as `-L -n` and `-S` as `-S -n`.

import { numberToIpv4 } from '../../lib/inet.js';
import type { ForwardMethod, ServiceSnapshot, DestSnapshot, TunnelInfo } from '../snapshot.js';
import { addrPort } from './format.js';

/** `%-4s %s` of protocol and address, cut to 33 characters unless IPv6; `FWM  %u[ IPv6]`. */
export function listServiceName(svc: ServiceSnapshot): string {
  if (svc.fwmark !== 0 || svc.address === undefined) {
    return svc.family === 'inet6' ? `FWM  ${svc.fwmark} IPv6` : `FWM  ${svc.fwmark}`;
  }
  const name = `${(svc.protocol ?? '?').padEnd(4, ' ')} ${addrPort(svc.address, svc.port)}`;
  return svc.family === 'inet6' ? name : name.slice(0, 33);
}

const PROTOCOL_OPTION = { TCP: '-t', UDP: '-u', SCTP: '--sctp-service' } as const;

/** The service as save rules name it: `-t VIP:port`, `-f 1`, `-f 1 -6`. */
export function ruleServiceName(svc: ServiceSnapshot): string {
  if (svc.fwmark !== 0 || svc.address === undefined) {
    return svc.family === 'inet6' ? `-f ${svc.fwmark} -6` : `-f ${svc.fwmark}`;
  }
  const option = svc.protocol === undefined ? '--xxx-service' : PROTOCOL_OPTION[svc.protocol];
  return `${option} ${addrPort(svc.address, svc.port)}`;
}

/** Destination `addr:port`, cut to 28 characters in listings unless IPv6. */
export function listDestName(dest: DestSnapshot): string {
  const name = addrPort(dest.address, dest.port);
  return dest.family === 'inet6' ? name : name.slice(0, 28);
}

const FORWARD_NAME = { masq: 'Masq', local: 'Local', tunnel: 'Tunnel', route: 'Route' } as const;
const FORWARD_SWITCH = { masq: '-m', local: '-g', tunnel: '-i', route: '-g' } as const;

export function forwardName(method: ForwardMethod): string {
  return FORWARD_NAME[method];
}

/** LOCALNODE destinations are saved as `-g`, as ipvsadm does. */
export function forwardSwitch(method: ForwardMethod): string {
  return FORWARD_SWITCH[method];
}

export function hasSchedFlags(svc: ServiceSnapshot): boolean {
  return svc.flags.sched1 || svc.flags.sched2 || svc.flags.sched3;
}

/** The comma list ipvsadm shows for SCHED1..3, named after the scheduler that gives them meaning. */
export function schedFlagsText(svc: ServiceSnapshot): string {
  const { sched1, sched2, sched3 } = svc.flags;
  const words: string[] = [];
  if (svc.scheduler === 'sh' || svc.scheduler === 'mh') {
    if (sched1) words.push(`${svc.scheduler}-fallback`);
    if (sched2) words.push(`${svc.scheduler}-port`);
  } else {
    if (sched1) words.push('flag-1');
    if (sched2) words.push('flag-2');
    if (sched3) words.push('flag-3');
  }
  return words.join(',');
}

/**
 * The persistence mask when it is not the host mask (`255.255.255.255` or `128`), as ipvsadm
 * prints it: IPv4 through inet_ntoa, IPv6 as a prefix length.
 */
export function nonDefaultMask(svc: ServiceSnapshot): string | undefined {
  if (svc.family === 'inet6') {
    const len = Number.parseInt(svc.netmask, 10);
    return len === 128 ? undefined : String(Number.isNaN(len) ? svc.netmask : len);
  }
  const mask = /^\d{1,3}(\.\d{1,3}){3}$/.test(svc.netmask) ? svc.netmask : undefined;
  if (mask === undefined) return svc.netmask;
  const canonical = numberToIpv4(
    mask.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0),
  );
  return canonical === '255.255.255.255' ? undefined : canonical;
}

const TUN_FLAG_TEXT = { nocsum: '-c', csum: '+c', remcsum: 'r+c' } as const;

/** The `--tun-info` column: `ipip`, `gue:PORT:-c`, `gre:+c`; `n/a` for other methods. */
export function tunnelInfoText(dest: DestSnapshot): string {
  if (dest.method !== 'tunnel') return 'n/a';
  const tun: TunnelInfo = dest.tunnel ?? { type: 'ipip' };
  const flags = TUN_FLAG_TEXT[tun.csum ?? 'nocsum'];
  switch (tun.type) {
    case 'ipip':
      return 'ipip';
    case 'gue':
      return `gue:${tun.port ?? 0}:${flags}`;
    case 'gre':
      return `gre:${flags}`;
  }
}
