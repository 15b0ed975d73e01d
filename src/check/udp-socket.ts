// A connected UDP socket for one probe attempt (DNS_CHECK, UDP_CHECK). keepalived connect()s
// its checker sockets (layer4.c socket_bind_connect / udp_bind_connect) so that the kernel
// filters datagrams to the server's address and reports an ICMP port unreachable as
// ECONNREFUSED on the socket; node:dgram does the same once connected.

import { createSocket, type Socket } from 'node:dgram';
import type { ProbeTarget } from './probe.js';

export type UdpEvent =
  | { readonly kind: 'message'; readonly data: Buffer }
  | { readonly kind: 'error'; readonly code: string };

/** strerror(3) texts keepalived prints for the errors a connected UDP socket reports. */
const STRERROR: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Connection refused',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EACCES: 'Permission denied',
  EINVAL: 'Invalid argument',
};

export function strerror(code: string): string {
  return STRERROR[code] ?? code;
}

/**
 * Binds (bindto/bind_port when given), connects to the target and sends `payload`; every later
 * datagram or socket error goes to `onEvent`. The caller closes the socket.
 */
export function openUdpProbeSocket(
  target: ProbeTarget,
  payload: Buffer,
  onEvent: (event: UdpEvent) => void,
): Socket {
  const sock = createSocket({ type: target.family === 'inet' ? 'udp4' : 'udp6' });
  const errorOf = (err: unknown): UdpEvent => ({
    kind: 'error',
    code: (err as NodeJS.ErrnoException | null)?.code ?? 'EIO',
  });
  sock.on('error', (err) => onEvent(errorOf(err)));
  sock.on('message', (data) => onEvent({ kind: 'message', data }));
  const connectAndSend = (): void => {
    sock.connect(target.port, target.address, () => {
      sock.send(payload, (err) => {
        if (err !== null) onEvent(errorOf(err));
      });
    });
  };
  if (target.bindto !== undefined || target.bindPort !== undefined) {
    sock.bind(
      {
        port: target.bindPort ?? 0,
        ...(target.bindto === undefined ? {} : { address: target.bindto }),
        exclusive: true,
      },
      connectAndSend,
    );
  } else {
    connectAndSend();
  }
  return sock;
}

/** Closes a dgram socket that may already be closed. */
export function closeQuietly(sock: Socket): void {
  try {
    sock.close();
  } catch {
    // already closed
  }
}
