// The VRRP subsystem's public surface (docs/vrrp.md).

export {
  VrrpEngine,
  type EngineDeps,
  type EngineStatus,
  type GroupTransitionEvent,
} from './engine.js';
export { VrrpWorker, type VrrpWorkerOptions } from './engine-host.js';
export type { InstanceStatus, TransitionEvent } from './instance.js';
export type { InstanceStats } from './instance-data.js';
export { listenerVipHolder, vipAddresses, type VipHolder } from './vips.js';
export { openUdpTransport } from './udp-transport.js';
export type { OpenTransport, ReceivedPacket, TransportSpec, VrrpTransport } from './transport.js';
