// From keepalived's compiled model to table specs (shared/reference/keepalived.md, ipvs.md
// §0, §2): lvs_method NAT/DR/TUN → masq/route/tunnel; persistence_timeout (undefined → not
// persistent) and persistence_granularity (dotted IPv4 mask or IPv6 prefix length) → the
// service's persistence; sched flags → SCHED1..3 and ops; a real server without a port →
// port 0 (the client's destination port is used).

import type { LvsMethod, RealServer, VirtualServer, VirtualServerGroup } from '../config/model.js';
import { bracketed, ipv4ToNumber, netmaskToPrefix, numberToIpv4 } from '../lib/inet.js';
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

/** One table service of a virtual server, with its stable reload key. */
export interface ExpandedService {
  /** `tcp:10.0.0.1:80`, `fwmark:5`; for groups one per member address. */
  readonly id: string;
  readonly key: ServiceKey;
}

/** A group's IPv4 range may not expand into more services than this. */
export const MAX_GROUP_ADDRESSES = 65536;

/**
 * The table services of a virtual server: one for an address or fwmark service; for
 * `virtual_server group NAME`, one per address of each range member (with the member's port,
 * or the virtual server's when the member has none) and one per fwmark member, as keepalived
 * programs them. Undefined when a group is unknown or a range cannot be expanded (IPv6
 * ranges, or more than MAX_GROUP_ADDRESSES addresses).
 */
export function serviceKeysOf(
  vs: VirtualServer,
  groups: readonly VirtualServerGroup[],
): ExpandedService[] | undefined {
  const a = vs.address;
  const ipKey = (family: 'inet' | 'inet6', address: string, port: number): ExpandedService => ({
    id: `${vs.protocol.toLowerCase()}:${bracketed(address)}:${port}`,
    key: { kind: 'ip', protocol: vs.protocol, family, address, port },
  });
  const markKey = (fwmark: number, family: 'inet' | 'inet6'): ExpandedService => ({
    id: `fwmark:${fwmark}${family === 'inet6' ? ':inet6' : ''}`,
    key: { kind: 'fwmark', family, fwmark },
  });
  switch (a.kind) {
    case 'ip':
      return [{ id: vs.key, key: ipKey(a.family, a.address, a.port ?? 0).key }];
    case 'fwmark':
      return [{ id: vs.key, key: markKey(a.fwmark, a.family ?? vs.ipFamily ?? 'inet').key }];
    case 'group': {
      const group = groups.find((g) => g.name === a.name);
      if (group === undefined) return undefined;
      const out: ExpandedService[] = [];
      for (const m of group.members) {
        if (m.kind === 'fwmark') {
          out.push(markKey(m.fwmark, m.family ?? vs.ipFamily ?? 'inet'));
          continue;
        }
        const port = m.port ?? 0;
        if (m.first === m.last) {
          out.push(ipKey(m.family, m.first, port));
          continue;
        }
        if (m.family !== 'inet') return undefined;
        const first = ipv4ToNumber(m.first);
        const last = ipv4ToNumber(m.last);
        if (last < first || last - first >= MAX_GROUP_ADDRESSES) return undefined;
        for (let n = first; n <= last; n++) out.push(ipKey('inet', numberToIpv4(n), port));
      }
      return out;
    }
  }
}

function granularity(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text.includes('.')) return netmaskToPrefix(text);
  const n = Number(text.replace(/^\//, ''));
  return Number.isInteger(n) ? n : undefined;
}

export function serviceSpecOf(vs: VirtualServer, key: ServiceKey): ServiceSpec {
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
