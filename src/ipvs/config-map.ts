// From keepalived's compiled model to table specs (shared/reference/keepalived.md, ipvs.md
// §0, §2): lvs_method NAT/DR/TUN → masq/route/tunnel; persistence_timeout (undefined → not
// persistent) and persistence_granularity (dotted IPv4 mask or IPv6 prefix length) → the
// service's persistence; sched flags → SCHED1..3 and ops; a real server without a port →
// port 0 (the client's destination port is used).

import type { LvsMethod, RealServer, VirtualServer } from '../config/model.js';
import { netmaskToPrefix } from '../lib/inet.js';
import type { DestSpec, ServiceKey, ServiceSpec } from './services.js';
import type { ForwardMethod } from './snapshot.js';

export function forwardMethod(m: LvsMethod): ForwardMethod {
  switch (m) {
    case 'NAT':
      return 'masq';
    case 'DR':
      return 'route';
    case 'TUN':
      return 'tunnel';
  }
}

/** The table key of an ip or fwmark virtual server; undefined for groups (not expanded yet). */
export function serviceKeyOf(vs: VirtualServer): ServiceKey | undefined {
  const a = vs.address;
  switch (a.kind) {
    case 'ip':
      return {
        kind: 'ip',
        protocol: vs.protocol,
        family: a.family,
        address: a.address,
        port: a.port ?? 0,
      };
    case 'fwmark':
      return { kind: 'fwmark', family: a.family ?? vs.ipFamily ?? 'inet', fwmark: a.fwmark };
    case 'group':
      // TODO(ipvs-table): expand virtual_server_group members into one service each.
      return undefined;
  }
}

function granularity(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text.includes('.')) return netmaskToPrefix(text);
  const n = Number(text.replace(/^\//, ''));
  return Number.isInteger(n) ? n : undefined;
}

export function serviceSpecOf(vs: VirtualServer): ServiceSpec | undefined {
  const key = serviceKeyOf(vs);
  if (key === undefined) return undefined;
  const f = vs.schedFlags;
  const netmask = granularity(vs.persistenceGranularity);
  return {
    key,
    scheduler: vs.lvsSched,
    ...(vs.persistenceTimeout === undefined
      ? {}
      : {
          persistence: {
            timeout: Math.max(1, Math.round(vs.persistenceTimeout)),
            ...(netmask === undefined ? {} : { netmask }),
          },
        }),
    onePacket: f.ops,
    hashed: vs.hashed,
    sched1: f.flag1 || f.shFallback || f.mhFallback,
    sched2: f.flag2 || f.shPort || f.mhPort,
    sched3: f.flag3,
    ...(vs.persistenceEngine === undefined ? {} : { pe: vs.persistenceEngine }),
  };
}

export function destSpecOf(rs: RealServer): DestSpec {
  const method = forwardMethod(rs.lvsMethod);
  return {
    address: rs.address,
    family: rs.family,
    port: rs.port ?? 0,
    weight: rs.weight,
    method,
    uThreshold: rs.uthreshold,
    lThreshold: rs.lthreshold,
    ...(method === 'tunnel' && rs.tunnel !== undefined ? { tunnel: rs.tunnel } : {}),
  };
}

/** A destination's identity inside its service. */
export function destKeyOf(spec: DestSpec): string {
  return `${spec.address}|${spec.port}`;
}
