// Public surface of the data planes (house style §1): the contract every plane keeps, the
// kernel IPVS plane, the userspace proxy, and the PROXY protocol codec its upstream connections
// use to tell real servers who the client was. The nftables plane is src/dataplane/nft.

export type { DataPlane, DataPlaneKind, DataPlaneStats, KernelGlobals } from './plane.js';
export {
  IpvsDataPlane,
  kernelBackend,
  wantedSyncDaemons,
  type IpvsPlaneOptions,
} from './ipvs/index.js';
export {
  ProxyDataPlane,
  listenerKey,
  type ProxyPlaneOptions,
  type ProxyPlaneStats,
  type ServiceOptions,
  type CloseOptions,
  type CloseResult,
} from './proxy/plane.js';
export type { ProxyCounters } from './proxy/counters.js';
export {
  encodeProxyHeader,
  encodeProxyV1,
  encodeProxyV2,
  decodeProxyHeader,
  PROXY_V1_MAX_LENGTH,
  PROXY_V2_HEADER_LENGTH,
  PP2_TYPE,
} from './proxy-protocol.js';
export type {
  ProxyVersion,
  ProxyAddresses,
  ProxyTlv,
  ProxyInvalidReason,
  ProxyDecodeResult,
} from './proxy-protocol.js';
