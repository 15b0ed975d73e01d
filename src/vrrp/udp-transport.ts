// tandem's VRRP-over-UDP extension (`vrrp_transport udp`): the VRRP message, unchanged, as the
// payload of a UDP datagram between unicast peers. Anyone can open it (no CAP_NET_RAW), it
// crosses networks that drop IP protocol 112, and it lets several directors share one machine on
// loopback addresses. What it gives up: the receiver cannot see the TTL, so the RFC's "TTL must
// be 255" guard against off-link senders does not apply — the source must be a configured peer
// instead, as with keepalived's check_unicast_src.

import { createSocket, type Socket } from 'node:dgram';
import type { OpenTransport, ReceivedPacket, TransportSpec, VrrpTransport } from './transport.js';

export const openUdpTransport: OpenTransport = (spec, onPacket) =>
  new Promise((resolve) => {
    const any = spec.family === 'inet' ? '0.0.0.0' : '::';
    const address = spec.source ?? any;
    const sock = createSocket({ type: spec.family === 'inet' ? 'udp4' : 'udp6' });
    const fail = (err: NodeJS.ErrnoException): void => {
      sock.close();
      resolve({
        ok: false,
        code: err.code ?? 'EIO',
        message: `cannot bind VRRP UDP socket to ${address} port ${spec.port}: ${err.message}`,
      });
    };
    sock.once('error', fail);
    sock.bind({ address, port: spec.port, exclusive: true }, () => {
      sock.off('error', fail);
      // A send error (peer unreachable) must not take the socket down; send() reports it.
      sock.on('error', () => undefined);
      sock.on('message', (msg, rinfo) => {
        const p: ReceivedPacket = {
          payload: msg,
          src: rinfo.address,
          dst: address,
          ttl: undefined,
          multicast: false,
        };
        onPacket(p);
      });
      resolve({ ok: true, transport: udpTransport(spec, sock, address) });
    });
  });

function udpTransport(spec: TransportSpec, sock: Socket, source: string): VrrpTransport {
  let closed = false;
  return {
    spec,
    source,
    send(payload, dst) {
      if (closed) return 'EBADF';
      // dgram sends asynchronously; errors (ECONNREFUSED from an absent peer) are not fatal.
      sock.send(payload, spec.port, dst);
      return undefined;
    },
    close() {
      if (closed) return;
      closed = true;
      sock.close();
    },
  };
}
