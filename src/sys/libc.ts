// The one place tandem binds libc through koffi: loaded lazily on first use (so commands that
// never need a native call, like `tandem -t`, never load a native module), with every function
// the src/sys layer uses. Unavailable (no koffi binary for the platform): null, and callers turn
// that into a value, never an exception.

import { createRequire } from 'node:module';
import { constants } from 'node:os';

// Linux ABI constants shared by the socket modules (include/uapi/linux/socket.h,
// asm-generic/socket.h).
export const AF_INET = 2;
export const AF_INET6 = 10;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;

export interface Libc {
  socket: (domain: number, type: number, protocol: number) => number;
  setsockopt: (fd: number, level: number, name: number, value: Int32Array, len: number) => number;
  bind: (fd: number, addr: Uint8Array, len: number) => number;
  listen: (fd: number, backlog: number) => number;
  sendto: (
    fd: number,
    buf: Uint8Array,
    n: number,
    flags: number,
    a: Uint8Array,
    l: number,
  ) => number;
  recvfrom: (
    fd: number,
    buf: Uint8Array,
    n: number,
    flags: number,
    addr: Uint8Array,
    len: Uint32Array,
  ) => number;
  close: (fd: number) => number;
  errno: () => number;
}

let libc: Libc | null | undefined;

export function loadLibc(): Libc | null {
  if (libc !== undefined) return libc;
  try {
    // koffi is CommonJS; createRequire keeps it out of the ESM graph until first use.
    const koffi = createRequire(import.meta.url)('koffi') as {
      load: (name: string) => { func: (sig: string) => (...args: unknown[]) => number };
      errno: () => number;
    };
    const lib = koffi.load('libc.so.6');
    libc = {
      socket: lib.func('int socket(int, int, int)'),
      setsockopt: lib.func('int setsockopt(int, int, int, const void *, uint32_t)'),
      bind: lib.func('int bind(int, const void *, uint32_t)'),
      listen: lib.func('int listen(int, int)'),
      sendto: lib.func('intptr_t sendto(int, const void *, size_t, int, const void *, uint32_t)'),
      recvfrom: lib.func('intptr_t recvfrom(int, void *, size_t, int, void *, void *)'),
      close: lib.func('int close(int)'),
      errno: () => koffi.errno(),
    };
  } catch {
    libc = null;
  }
  return libc;
}

const ERRNO_NAMES = new Map<number, string>(
  Object.entries(constants.errno).map(([name, n]) => [n, name]),
);

/** The name of the last errno (`ECONNREFUSED`), or `errno N`. */
export function errnoName(c: Libc): string {
  const n = c.errno();
  return ERRNO_NAMES.get(n) ?? `errno ${n}`;
}
