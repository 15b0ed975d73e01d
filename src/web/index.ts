// Public surface of the admin HTTP listener: the server, the metrics it serves and the status
// shape it reads (the daemon passes its own status function; see status.ts for why structural).

export { AdminServer, type AdminServerOptions } from './server.js';
export { StatusMetrics, type MetricsOptions } from './metrics.js';
export { statusPage, type PageOptions } from './page.js';
export type {
  StatusSource,
  WebStatus,
  WebVrrpStatus,
  WebVrrpInstance,
  WebCheckStatus,
  WebProxyCounters,
} from './status.js';
