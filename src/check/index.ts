// The checker subsystem's public surface (house style §1): the probe contract, the probes, and
// the runner that schedules them.

export { checkerLabel } from './probe.js';
export type { Probe, ProbeFailure, ProbeResult, ProbeTarget } from './probe.js';

// --- Network probes (TCP_CHECK, HTTP_GET, SSL_GET) and genhash ---
export { tcpProbe } from './tcp.js';
export { buildRequest, hostValue, httpProbe, loadTlsContext, type HttpProtocol } from './http.js';
export { decodeResponse, type DecodeResponse, type HttpResponse } from './http-response.js';
export { md5Hex } from './http-verdict.js';
// --- end network probes ---
