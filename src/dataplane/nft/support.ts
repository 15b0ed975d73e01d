// What the nftables data plane can program, checked twice: at configuration time, where a
// virtual server it cannot serve is an error at its file:line:col (so `tandem -t --dataplane
// nft` and a start or reload refuse it, never programming something else in its place), and at
// run time for services tandemadm adds, which are skipped with a reason logged once.
//
// Not programmable: fwmark services (netdev ingress runs before any firewall mark exists),
// LVS-TUN, port 0 ("all ports") services, and a virtual server mixing DR and NAT real servers.

import type { Config, Diagnostic, Position, VirtualServer } from '../../config/index.js';
import type { ServiceSnapshot } from '../../ipvs/index.js';
import { COUNTING_SCHEDULERS } from './slots.js';

export type NftMethod = 'dr' | 'nat';

/** DR when every real server is `route`, NAT when every one is `masq`; else undefined. */
export function serviceMethod(svc: ServiceSnapshot): NftMethod | undefined {
  const methods = new Set(svc.dests.map((d) => d.method));
  if (methods.size !== 1) return undefined;
  if (methods.has('route')) return 'dr';
  if (methods.has('masq')) return 'nat';
  return undefined;
}

/** Why a table service cannot be programmed, or undefined when it can. */
export function unsupportedReason(svc: ServiceSnapshot): string | undefined {
  if (svc.fwmark > 0 || svc.address === undefined || svc.protocol === undefined) {
    return 'fwmark services are not supported by the nft data plane';
  }
  if (svc.port === 0) return 'port 0 (all ports) services are not supported by the nft data plane';
  const methods = new Set(svc.dests.map((d) => d.method));
  if (methods.has('tunnel')) return 'LVS-TUN is not supported by the nft data plane';
  if (methods.has('local')) return 'local real servers are not supported by the nft data plane';
  if (methods.size > 1) return 'DR and NAT real servers in one service';
  return undefined;
}

function diag(at: Position, message: string): Diagnostic {
  return {
    code: 'CFG_DATAPLANE_UNSUPPORTED',
    severity: 'error',
    message,
    at: { source: { path: at.file }, line: at.line, column: at.column },
    notes: [],
  };
}

function checkVirtualServer(vs: VirtualServer, out: Diagnostic[]): void {
  if (vs.address.kind === 'fwmark') {
    out.push(diag(vs.at, 'fwmark virtual servers cannot be programmed by the nft data plane'));
    return;
  }
  if (vs.address.kind === 'ip' && (vs.address.port ?? 0) === 0) {
    out.push(
      diag(
        vs.at,
        'virtual servers of all ports (port 0) cannot be programmed by the nft data plane',
      ),
    );
    return;
  }
  const methods = new Set<string>();
  for (const rs of vs.realServers) {
    methods.add(rs.lvsMethod);
    if (rs.lvsMethod === 'TUN') {
      out.push(diag(rs.at, 'lb_kind TUN cannot be programmed by the nft data plane (DR or NAT)'));
    }
  }
  if (vs.sorryServer !== undefined) methods.add(vs.sorryServer.lvsMethod);
  if (vs.realServers.length === 0 && vs.lvsMethod === 'TUN') {
    out.push(diag(vs.at, 'lb_kind TUN cannot be programmed by the nft data plane (DR or NAT)'));
  }
  methods.delete('TUN');
  if (methods.size > 1) {
    out.push(
      diag(vs.at, 'the nft data plane needs one lb_kind per virtual server (DR or NAT), not both'),
    );
  }
}

/**
 * Errors for every virtual server the nft data plane cannot program, at its position. Group
 * members that are fwmarks are reported at the virtual server using the group.
 */
export function checkNftConfig(config: Config): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const vs of config.virtualServers) {
    if (vs.address.kind === 'group') {
      const name = vs.address.name;
      const group = config.virtualServerGroups.find((g) => g.name === name);
      if (group?.members.some((m) => m.kind === 'fwmark' || (m.port ?? 0) === 0) === true) {
        out.push(
          diag(
            vs.at,
            `virtual_server_group ${name} has fwmark or port 0 members, which the nft data plane cannot program`,
          ),
        );
        continue;
      }
    }
    checkVirtualServer(vs, out);
  }
  return out;
}

/** The log line that says a counting scheduler is approximated (never silently). */
export function approximationNote(scheduler: string): string | undefined {
  return COUNTING_SCHEDULERS.has(scheduler)
    ? `lb_algo ${scheduler} needs live connection counts: the nft data plane approximates it by re-laying the slot map from the kernel's counts every second (docs/nft.md)`
    : undefined;
}
