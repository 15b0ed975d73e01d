// Public surface of the data planes (house style §1). Today: the userspace proxy.
export {
  ProxyDataPlane,
  listenerKey,
  type ProxyPlaneOptions,
  type ProxyPlaneStats,
  type ServiceOptions,
} from './proxy/plane.js';
export type { ProxyCounters } from './proxy/counters.js';
