// Adverts as every VRRP router sends them: IP protocol 112 on a raw socket (src/sys/
// vrrp-socket.ts), multicast to 224.0.0.18 / ff02::12 on the instance's interface or unicast to
// each peer, TTL / hop limit 255. An IPv4 raw socket hands over the whole datagram (raw(7)), so
// the IP header is decoded here for the TTL, the destination and tot_len the receive checks need;
// for IPv6 the kernel reports the hop limit and destination as ancillary data.

import { decodeIpv4Header } from './ip-header.js';
import type { OpenTransport, ReceivedPacket } from './transport.js';
import { openVrrpSocket, type VrrpPacket } from '../sys/vrrp-socket.js';

function isMulticast(addr: string): boolean {
  if (addr.includes(':')) return addr.toLowerCase().startsWith('ff');
  const first = Number(addr.slice(0, addr.indexOf('.')));
  return first >= 224 && first <= 239;
}

export const openRawTransport: OpenTransport = (spec, onPacket) => {
  const where = spec.ifname ?? spec.source ?? '?';
  const r = openVrrpSocket({
    family: spec.family,
    ...(spec.ifname === undefined ? {} : { ifname: spec.ifname }),
    ...(spec.source === undefined ? {} : { source: spec.source }),
    ...(spec.multicastGroup === undefined ? {} : { multicastGroup: spec.multicastGroup }),
    unicast: spec.multicastGroup === undefined,
    ttl: spec.ttl,
  });
  if (!r.ok) {
    const hint =
      r.code === 'EPERM' || r.code === 'EACCES'
        ? ': raw sockets need root or CAP_NET_RAW (vrrp_transport udp needs neither)'
        : '';
    return Promise.resolve({
      ok: false,
      code: r.code,
      message: `cannot open a VRRP socket on ${where} (${r.syscall}: ${r.code})${hint}`,
    });
  }
  const sock = r.socket;
  const received = (p: VrrpPacket): void => {
    let rx: ReceivedPacket;
    if (spec.family === 'inet') {
      const h = decodeIpv4Header(p.bytes);
      // A datagram whose own header is broken cannot be a VRRP advert; the kernel rarely lets
      // one through, and there is no instance yet to count it against.
      if (!h.ok) return;
      rx = {
        payload: p.bytes.subarray(h.value.headerLength),
        src: h.value.src,
        dst: h.value.dst,
        ttl: h.value.ttl,
        ipTotalLength: h.value.totalLength,
        ipHeaderLength: h.value.headerLength,
        protocol: h.value.protocol,
        multicast: isMulticast(h.value.dst),
      };
    } else {
      const dst = p.dst ?? spec.multicastGroup ?? spec.source ?? '::';
      rx = {
        payload: p.bytes,
        src: p.src,
        dst,
        ttl: p.hopLimit,
        multicast: isMulticast(dst),
      };
    }
    onPacket(rx);
  };
  const err = sock.startReceiving(received);
  if (err !== undefined) {
    sock.close();
    return Promise.resolve({
      ok: false,
      code: err,
      message: `cannot read the VRRP socket on ${where}: ${err}`,
    });
  }
  return Promise.resolve({
    ok: true,
    transport: {
      spec,
      source: spec.source ?? '',
      send: (payload, dst) => sock.send(payload, dst),
      close: () => sock.close(),
    },
  });
};
