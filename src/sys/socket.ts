// Listening sockets Node cannot make by itself: IP_FREEBIND (bind a VIP this host does not hold
// yet, so a backup director's listeners are ready the moment VRRP moves the address to it; see
// ip(7)) and SO_REUSEPORT (several workers sharing one port; socket(7)). Node 20's net and dgram
// accept an already-bound descriptor (`listen({ fd })`, `bind({ fd })`), so the only foreign
// calls are socket/setsockopt/bind/listen through koffi, loaded lazily so that commands that never
// listen (`tandem -t`) never load a native module. Failures are values, never exceptions.

import {
  AF_INET,
  AF_INET6,
  IPPROTO_IP,
  IPPROTO_IPV6,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  errnoName,
  loadLibc,
} from './libc.js';
import { ipv6Bytes, parseIp, type Family } from '../lib/inet.js';

// Linux ABI constants (include/uapi/linux/{socket,in,in6}.h, asm-generic/socket.h).
const SO_REUSEADDR = 2;
const SO_REUSEPORT = 15;
const IP_FREEBIND = 15;
const IPV6_V6ONLY = 26;
const IPV6_FREEBIND = 78;

export interface ListenSocketSpec {
  readonly kind: 'tcp' | 'udp';
  readonly family: Family;
  readonly address: string;
  readonly port: number;
  /** IP_FREEBIND: bind even when the address is not (yet) local. */
  readonly freebind: boolean;
  /** SO_REUSEPORT: let other workers bind the same address and port. */
  readonly reusePort: boolean;
  /** listen(2) backlog (TCP only). */
  readonly backlog?: number;
}

export type SocketResult =
  | { readonly ok: true; readonly fd: number }
  | { readonly ok: false; readonly code: string; readonly syscall: string };

/** True when native sockets are available (Linux with koffi's prebuilt binary). */
export function nativeSocketsAvailable(): boolean {
  return loadLibc() !== null;
}

/** struct sockaddr_in / sockaddr_in6 for bind(2); undefined for an unparsable address. */
export function sockaddr(family: Family, address: string, port: number): Uint8Array | undefined {
  const ip = parseIp(address);
  if (ip?.family !== family) return undefined;
  if (family === 'inet') {
    const b = new Uint8Array(16);
    new DataView(b.buffer).setUint16(0, AF_INET, true);
    new DataView(b.buffer).setUint16(2, port, false);
    ip.text.split('.').forEach((o, i) => (b[4 + i] = Number(o)));
    return b;
  }
  const bytes = ipv6Bytes(ip.text);
  if (bytes === undefined) return undefined;
  const b = new Uint8Array(28);
  new DataView(b.buffer).setUint16(0, AF_INET6, true);
  new DataView(b.buffer).setUint16(2, port, false);
  b.set(bytes, 8);
  return b;
}

/** socket + options + bind (+ listen for TCP). The caller owns the returned descriptor. */
export function openListenSocket(spec: ListenSocketSpec): SocketResult {
  const c = loadLibc();
  if (c === null) return { ok: false, code: 'ENOSYS', syscall: 'koffi' };
  const addr = sockaddr(spec.family, spec.address, spec.port);
  if (addr === undefined) return { ok: false, code: 'EINVAL', syscall: 'bind' };
  const domain = spec.family === 'inet' ? AF_INET : AF_INET6;
  const type = (spec.kind === 'tcp' ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC;
  const fd = c.socket(domain, type, 0);
  const fail = (syscall: string): SocketResult => {
    const code = errnoName(c);
    if (fd >= 0) c.close(fd);
    return { ok: false, code, syscall };
  };
  if (fd < 0) return fail('socket');
  const one = new Int32Array([1]);
  const opt = (level: number, name: number): boolean => c.setsockopt(fd, level, name, one, 4) === 0;
  if (spec.kind === 'tcp' && !opt(SOL_SOCKET, SO_REUSEADDR)) return fail('setsockopt');
  if (spec.reusePort && !opt(SOL_SOCKET, SO_REUSEPORT)) return fail('setsockopt');
  if (spec.family === 'inet6' && !opt(IPPROTO_IPV6, IPV6_V6ONLY)) return fail('setsockopt');
  if (spec.freebind) {
    const ok =
      spec.family === 'inet' ? opt(IPPROTO_IP, IP_FREEBIND) : opt(IPPROTO_IPV6, IPV6_FREEBIND);
    if (!ok) return fail('setsockopt');
  }
  if (c.bind(fd, addr, addr.length) !== 0) return fail('bind');
  if (spec.kind === 'tcp' && c.listen(fd, spec.backlog ?? 4096) !== 0) return fail('listen');
  return { ok: true, fd };
}

/** Close a descriptor that was never handed to Node. */
export function closeFd(fd: number): void {
  loadLibc()?.close(fd);
}
