// The plain-data side of one instance's runtime: keepalived's per-instance counters, how many
// gratuitous ARPs each kind of burst sends, and the receive checks' view of the configuration.

import type { VrrpInstance } from '../config/model.js';
import { RX_REJECT_REASONS, type ReceiveParams, type RxRejectReason } from './receive.js';
import type { GarpReason } from './vips.js';

/** keepalived's per-instance statistics (keepalived.md §4.4), plus rejections by reason. */
export interface InstanceStats {
  advertsReceived: number;
  advertsSent: number;
  becameMaster: number;
  releasedMaster: number;
  priorityZeroReceived: number;
  priorityZeroSent: number;
  sendErrors: number;
  rejected: Record<RxRejectReason, number>;
}

export function newInstanceStats(): InstanceStats {
  return {
    advertsReceived: 0,
    advertsSent: 0,
    becameMaster: 0,
    releasedMaster: 0,
    priorityZeroReceived: 0,
    priorityZeroSent: 0,
    sendErrors: 0,
    rejected: Object.fromEntries(RX_REJECT_REASONS.map((r) => [r, 0])) as Record<
      RxRejectReason,
      number
    >,
  };
}

export function garpCount(inst: VrrpInstance, reason: GarpReason): number {
  switch (reason) {
    case 'master':
    case 'delayed':
      return inst.garpMasterRepeat;
    case 'refresh':
      return inst.garpMasterRefreshRepeat;
    case 'lower-prio':
      return inst.garpLowerPrioRepeat;
    default:
      return reason satisfies never;
  }
}

/** The receive checks' view of the instance (keepalived.md §2.2). */
export function receiveParams(c: VrrpInstance): ReceiveParams {
  return {
    version: c.version,
    vrid: c.virtualRouterId,
    family: c.family,
    authType: c.version === 2 && c.authentication?.authType === 'PASS' ? 1 : 0,
    authPass: c.authentication?.authPass ?? '',
    advertIntCs: Math.round(c.advertInt * 100),
    vips: c.virtualIpaddress.slice(0, 255).map((v) => v.address),
    unicast: c.unicastPeer.length > 0,
    unicastPeers: c.unicastPeer,
    checkUnicastSrc: c.checkUnicastSrc || c.vrrpTransport === 'udp',
    skipCheckAdvAddr: c.skipCheckAdvAddr,
    vipCheck: 'reject',
  };
}
