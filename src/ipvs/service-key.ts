// How a virtual service is named on the command line and in the kernel's lookups: either
// (af, protocol, address, port) or (af, fwmark) (shared/reference/ipvs.md §0). The ipvsadm
// parser produces these keys and the renderers use them to pick one service out of a snapshot
// (`ipvsadm -L -n -t VIP:port`), so both sides agree on what "the same service" means.

import { ipv4ToNumber, ipv6Bytes } from '../lib/inet.js';
import type { Family } from '../lib/inet.js';
import type { ServiceProtocol, ServiceSnapshot } from './snapshot.js';

export interface ServiceAddressKey {
  readonly kind: 'address';
  readonly protocol: ServiceProtocol;
  readonly family: Family;
  /** Canonical text (dotted quad, or RFC 5952 IPv6). */
  readonly address: string;
  readonly port: number;
}

export interface ServiceFwmarkKey {
  readonly kind: 'fwmark';
  readonly family: Family;
  readonly fwmark: number;
}

export type ServiceKey = ServiceAddressKey | ServiceFwmarkKey;

/** The key a snapshot service answers to. */
export function serviceKeyOf(svc: ServiceSnapshot): ServiceKey {
  if (svc.fwmark !== 0 || svc.protocol === undefined || svc.address === undefined) {
    return { kind: 'fwmark', family: svc.family, fwmark: svc.fwmark };
  }
  return {
    kind: 'address',
    protocol: svc.protocol,
    family: svc.family,
    address: svc.address,
    port: svc.port,
  };
}

/**
 * Address text as four host-order 32-bit words, the way the kernel's `union nf_inet_addr`
 * holds it (IPv4 in the first word, the rest zero). Unparseable text gives zeros.
 */
export function addressWords(text: string): readonly [number, number, number, number] {
  if (!text.includes(':')) {
    return /^\d{1,3}(\.\d{1,3}){3}$/.test(text) ? [ipv4ToNumber(text), 0, 0, 0] : [0, 0, 0, 0];
  }
  const bytes = ipv6Bytes(text);
  if (bytes === undefined) return [0, 0, 0, 0];
  const word = (i: number): number =>
    (((bytes[i] ?? 0) << 24) |
      ((bytes[i + 1] ?? 0) << 16) |
      ((bytes[i + 2] ?? 0) << 8) |
      (bytes[i + 3] ?? 0)) >>>
    0;
  return [word(0), word(4), word(8), word(12)];
}

function sameAddress(a: string, b: string): boolean {
  const wa = addressWords(a);
  const wb = addressWords(b);
  return wa.every((w, i) => w === wb[i]);
}

/** True when `svc` is the service `key` names (what the kernel's GET_SERVICE would return). */
export function matchesServiceKey(svc: ServiceSnapshot, key: ServiceKey): boolean {
  if (svc.family !== key.family) return false;
  if (key.kind === 'fwmark') return svc.fwmark === key.fwmark;
  return (
    svc.fwmark === 0 &&
    svc.protocol === key.protocol &&
    svc.port === key.port &&
    svc.address !== undefined &&
    sameAddress(svc.address, key.address)
  );
}
