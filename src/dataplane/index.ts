// Public surface of the userspace proxy data plane (house style §1). So far the PROXY protocol
// codec, which upstream connections use to tell real servers who the client was.

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
