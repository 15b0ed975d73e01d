// Public surface of the checker subsystem (house style §1): the manager and its contracts, the
// probe contract, and the checker types' probes. Each engineer's exports live in their own block.

export {
  CheckManager,
  type ManagerOptions,
  type PoolWriter,
  type ProbeFactory,
} from './manager.js';
export { defaultCheckWorkers } from './shards.js';
export type { DesiredDest } from './health.js';
export type { CheckEvent, CheckEventListener } from './events.js';
export * from './probe.js';
export { detectionBounds } from './state.js';

// --- probes-misc: SMTP, DNS, UDP, PING, MISC and FILE checkers (one attempt each) ---
export { smtpProbe, takeSmtpReply } from './smtp.js';
export { dnsProbe } from './dns.js';
export {
  decodeDnsReply,
  encodeDnsQuery,
  DNS_TYPES,
  type DnsDecodeResult,
  type DnsQueryType,
  type DnsQuestion,
  type DnsReply,
} from './dns-packet.js';
export { udpProbe, parseReplyPattern, replyMatches, type ReplyPattern } from './udp.js';
export { pingProbe, type PingProbeOptions } from './ping.js';
export { miscProbe, MISC_KILL_GRACE_MS, type MiscProbeOptions } from './misc.js';
export {
  fileProbe,
  fileVerdict,
  parseTrackValue,
  type FileProbeOptions,
  type FileVerdict,
} from './file.js';
// --- end probes-misc ---

// --- Network probes (TCP_CHECK, HTTP_GET, SSL_GET) and genhash ---
export { tcpProbe } from './tcp.js';
export { buildRequest, hostValue, httpProbe, loadTlsContext, type HttpProtocol } from './http.js';
export { decodeResponse, type DecodeResponse, type HttpResponse } from './http-response.js';
export { md5Hex } from './http-verdict.js';
// --- end network probes ---
