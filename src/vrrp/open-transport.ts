// The transport for an instance's `vrrp_transport`: UDP needs nothing native; raw sockets load
// koffi (through src/sys) only when some instance uses them.

import type { OpenTransport } from './transport.js';
import { openUdpTransport } from './udp-transport.js';

export function openTransportOf(kind: 'raw' | 'udp'): OpenTransport {
  if (kind === 'udp') return openUdpTransport;
  return async (spec, onPacket) => {
    const { openRawTransport } = await import('./raw-transport.js');
    return openRawTransport(spec, onPacket);
  };
}
