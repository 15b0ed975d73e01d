// PLACEHOLDER until the codec branch lands (replaced wholesale on merge).
import type { ProxyProtocolVersion } from '../config/model.js';
export interface ProxyAddresses {
  family: 'inet' | 'inet6';
  protocol: 'TCP' | 'UDP';
  sourceAddress: string;
  sourcePort: number;
  destinationAddress: string;
  destinationPort: number;
}
export function encodeProxyHeader(v: ProxyProtocolVersion, a: ProxyAddresses | undefined): Buffer {
  if (a === undefined) return Buffer.from('PROXY UNKNOWN\r\n');
  return Buffer.from(
    `PROXY TCP${a.family === 'inet' ? 4 : 6} ${a.sourceAddress} ${a.destinationAddress} ${a.sourcePort} ${a.destinationPort}\r\n${v}`,
  );
}
