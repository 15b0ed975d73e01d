// The IPv4 header (RFC 791 §3.1) in front of what a raw IPv4 socket reads: raw(7) hands over the
// whole datagram, header included, while IPv6 raw sockets give only the payload (hop limit and
// addresses come as ancillary data). Receive validation needs its TTL, total length and
// addresses. The kernel has already verified the header checksum, so it is not checked again.
// Never throws on untrusted bytes.

export interface Ipv4Header {
  /** IHL × 4: where the payload (VRRP, or AH) starts. */
  readonly headerLength: number;
  /** tot_len: header plus payload, as the sender claims. */
  readonly totalLength: number;
  readonly tos: number;
  readonly id: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly src: string;
  readonly dst: string;
}

/**
 * - too-short: fewer than 20 bytes, or fewer than the IHL says;
 * - bad-version: the version nibble is not 4;
 * - bad-header-length: IHL below 5 words (RFC 791 minimum);
 * - bad-total-length: tot_len smaller than the header itself.
 */
export const IPV4_DECODE_REASONS = [
  'too-short',
  'bad-version',
  'bad-header-length',
  'bad-total-length',
] as const;
export type Ipv4DecodeReason = (typeof IPV4_DECODE_REASONS)[number];

export type Ipv4DecodeResult =
  | { readonly ok: true; readonly value: Ipv4Header; readonly bytesRead: number }
  | { readonly ok: false; readonly reason: Ipv4DecodeReason };

const MIN_HEADER = 20;

function dotted(buf: Uint8Array, o: number): string {
  return `${buf[o] ?? 0}.${buf[o + 1] ?? 0}.${buf[o + 2] ?? 0}.${buf[o + 3] ?? 0}`;
}

export function decodeIpv4Header(buf: Uint8Array, offset = 0): Ipv4DecodeResult {
  if (offset < 0 || buf.length - offset < MIN_HEADER) return { ok: false, reason: 'too-short' };
  const b = (i: number): number => buf[offset + i] ?? 0;
  if (b(0) >> 4 !== 4) return { ok: false, reason: 'bad-version' };
  const headerLength = (b(0) & 0x0f) * 4;
  if (headerLength < MIN_HEADER) return { ok: false, reason: 'bad-header-length' };
  if (buf.length - offset < headerLength) return { ok: false, reason: 'too-short' };
  const totalLength = (b(2) << 8) | b(3);
  if (totalLength < headerLength) return { ok: false, reason: 'bad-total-length' };
  const value: Ipv4Header = {
    headerLength,
    totalLength,
    tos: b(1),
    id: (b(4) << 8) | b(5),
    ttl: b(8),
    protocol: b(9),
    src: dotted(buf, offset + 12),
    dst: dotted(buf, offset + 16),
  };
  return { ok: true, value, bytesRead: headerLength };
}
