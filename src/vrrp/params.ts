// VrrpParams from the compiled config (config/model.ts): seconds become milliseconds and
// centiseconds, and the globals that change per-instance behaviour are applied. The config
// layer has already resolved defaults and inheritance; this only converts units.

import type { GlobalDefs, VrrpInstance } from '../config/model.js';
import type { VrrpParams } from './state-types.js';
import { advertIntToCs } from './timers.js';

const ms = (seconds: number): number => Math.round(seconds * 1000);

export function paramsFromConfig(inst: VrrpInstance, globals: GlobalDefs): VrrpParams {
  // vrrp_min_garp: one GARP on becoming master and no second burst (keepalived.md §2.7).
  const minGarp = globals.vrrpMinGarp;
  return {
    name: inst.name,
    version: inst.version,
    vrid: inst.virtualRouterId,
    basePriority: inst.priority,
    advertIntCs: advertIntToCs(inst.advertInt),
    initialState: inst.state,
    nopreempt: inst.nopreempt,
    preemptDelayMs: ms(inst.preemptDelay),
    downTimerAdverts: inst.downTimerAdverts,
    lowerPrioNoAdvert: inst.lowerPrioNoAdvert,
    higherPrioSendAdvert: inst.higherPrioSendAdvert,
    garpMasterDelayMs: minGarp ? 0 : ms(inst.garpMasterDelay),
    garpMasterRepeat: minGarp ? 1 : inst.garpMasterRepeat,
    garpMasterRefreshMs: ms(inst.garpMasterRefresh),
    garpMasterRefreshRepeat: inst.garpMasterRefreshRepeat,
    garpLowerPrioDelayMs: ms(inst.garpLowerPrioDelay),
    garpLowerPrioRepeat: inst.garpLowerPrioRepeat,
    ...(inst.unicastSrcIp !== undefined ? { ownAddress: inst.unicastSrcIp } : {}),
    unicast: inst.unicastPeer.length > 0,
    ...(inst.syncGroup !== undefined ? { syncGroup: inst.syncGroup } : {}),
  };
}
