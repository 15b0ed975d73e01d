// keepalived's address formats in checker log lines and e-mails (keepalived.md §3.2):
// `[10.0.0.2]:tcp:80`, `[2001:db8::1]:tcp:80`, fwmark services `FWM 5`, groups `[NAME]:port`.
// Operators grep for these, so they are reproduced exactly.

import type { Protocol, RealServer, VirtualServer } from '../config/model.js';

export function serviceLabel(address: string, protocol: Protocol, port: number): string {
  return `[${address}]:${protocol.toLowerCase()}:${port}`;
}

export function vsLabel(vs: VirtualServer): string {
  const a = vs.address;
  if (a.kind === 'fwmark') return `FWM ${a.fwmark}`;
  if (a.kind === 'group') return `[${a.name}]:0`;
  return serviceLabel(a.address, vs.protocol, a.port ?? 0);
}

export function rsLabel(vs: VirtualServer, rs: RealServer): string {
  return serviceLabel(rs.address, vs.protocol, rs.port ?? vsPort(vs));
}

export function vsPort(vs: VirtualServer): number {
  return vs.address.kind === 'ip' ? (vs.address.port ?? 0) : 0;
}
