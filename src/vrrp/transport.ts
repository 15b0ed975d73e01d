// How adverts travel, behind one interface so the instance runtime does not care: raw IP protocol
// 112 as every VRRP router speaks it (raw-transport.ts, needs CAP_NET_RAW), or the same VRRP
// message in a UDP datagram (udp-transport.ts, tandem's `vrrp_transport udp` extension) for
// unprivileged clusters and networks that drop protocol 112. One transport serves every instance
// that shares its socket — keepalived's "sockpool" — and packets are dispatched by VRID above it.

import type { Family } from '../lib/inet.js';

/** One received VRRP message with what the IP layer said about it. */
export interface ReceivedPacket {
  /** The VRRP message (after the IP header). */
  readonly payload: Uint8Array;
  readonly src: string;
  readonly dst: string;
  /** TTL / hop limit, or undefined where the transport cannot see it (UDP). */
  readonly ttl: number | undefined;
  /** IPv4 tot_len from the header, when the transport delivers the header (raw IPv4). */
  readonly ipTotalLength?: number;
  /** IPv4 header length (IHL × 4), when known. */
  readonly ipHeaderLength?: number;
  /** IP protocol of the datagram (51: AH precedes the VRRP message). */
  readonly protocol?: number;
  readonly multicast: boolean;
}

export interface TransportSpec {
  readonly kind: 'raw' | 'udp';
  readonly family: Family;
  /** Interface for multicast and for the source address (raw). */
  readonly ifname?: string;
  /** Address adverts leave from (unicast_src_ip / mcast_src_ip, else the interface's). */
  readonly source?: string;
  /** Multicast group to join; undefined for unicast instances. */
  readonly multicastGroup?: string;
  readonly ttl: number;
  /** UDP only. */
  readonly port: number;
}

export interface VrrpTransport {
  readonly spec: TransportSpec;
  /** The address adverts leave from: the v3 checksum and equal-priority elections use it. */
  readonly source: string;
  /** Sends one VRRP message; undefined on success, else an errno name. */
  send(payload: Uint8Array, dst: string): string | undefined;
  close(): void;
}

export type TransportResult =
  | { readonly ok: true; readonly transport: VrrpTransport }
  | { readonly ok: false; readonly code: string; readonly message: string };

export type OpenTransport = (
  spec: TransportSpec,
  onPacket: (p: ReceivedPacket) => void,
) => Promise<TransportResult>;

/** The sockpool key: instances with equal keys share one transport. */
export function transportKey(spec: TransportSpec): string {
  return [
    spec.kind,
    spec.family,
    spec.ifname ?? '',
    spec.source ?? '',
    spec.multicastGroup ?? 'unicast',
    spec.kind === 'udp' ? spec.port : '',
  ].join('/');
}
