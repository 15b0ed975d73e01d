// Public surface of the virtual server table (house style §1): the table class, its request
// and verdict types, the scheduler and snapshot contracts, TCP flag constants for data planes,
// and configuration apply/diff for the daemon.

export { IpvsTable } from './table.js';
export { createScheduler, schedulerFactory, SCHEDULER_NAMES } from './schedulers/index.js';
// Scheduler tables the nftables data plane loads into the kernel as maps.
export { buildMaglevTable, MH_TAB_SIZE } from './schedulers/mh.js';
export { shBuckets, shFallbackFrom, shPick, SH_TAB_SIZE } from './schedulers/sh.js';
export { dhBuckets, DH_TAB_SIZE } from './schedulers/dh.js';
export type { TableOptions, Sysctls, KernelDestUpdate } from './model.js';
export type { RawCounters } from './estimator.js';
export type { ServiceKey, ServiceSpec, DestKey, DestSpec } from './services.js';
export type { InboundPacket, InboundVerdict, ForwardTarget } from './inbound.js';
export type { PacketKey } from './schedule.js';
export { TCP_FLAG, TCP_STATE_NAMES, type Direction } from './tcp-state.js';
export { applyConfig, applyPlan, diffConfig } from './config-diff.js';
export { destSpecOf, forwardMethod, serviceKeysOf, type ExpandedService } from './config-map.js';
export type { ConfigPlan, ServicePlan, DestPlan, PlanAction } from './config-diff.js';
export type * from './scheduler.js';
export type * from './snapshot.js';
export { renderList, renderSave, renderConnections, renderTimeouts } from './render/index.js';
export {
  parseIpvsadmArgs,
  parseRestore,
  runIpvsadm,
  runIpvsadmOn,
  tableBackend,
  isRefusal,
} from './admin/index.js';
export type { IpvsadmBackend, PlaneHooks, Refusal, ChangeCommand } from './admin/index.js';
