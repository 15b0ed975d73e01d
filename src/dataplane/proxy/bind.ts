// Getting a listening descriptor onto a VIP that may not be local yet. First choice: a socket
// made with IP_FREEBIND (and SO_REUSEPORT when several workers share the port) through src/sys,
// handed to Node. Without native sockets (koffi missing) Node binds itself; if the address is
// not local (EADDRNOTAVAIL) the caller retries until it appears, so a backup director still
// starts serving the moment VRRP gives it the VIP.

import { closeFd, openListenSocket, type ListenSocketSpec } from '../../sys/socket.js';

export type BindSpec = Omit<ListenSocketSpec, 'backlog'>;

export type BindResult =
  | { readonly kind: 'fd'; readonly fd: number }
  /** Native sockets unavailable: let Node bind address:port itself. */
  | { readonly kind: 'node' }
  | { readonly kind: 'error'; readonly code: string; readonly syscall: string };

export function bindListener(spec: BindSpec): BindResult {
  if (!spec.freebind && !spec.reusePort) return { kind: 'node' };
  const r = openListenSocket(spec);
  if (r.ok) return { kind: 'fd', fd: r.fd };
  if (r.code === 'ENOSYS') return { kind: 'node' };
  return { kind: 'error', code: r.code, syscall: r.syscall };
}

export { closeFd };
