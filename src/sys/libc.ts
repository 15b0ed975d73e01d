// The one place tandem binds libc through koffi: loaded lazily on first use (so commands that
// never need a native call, like `tandem -t`, never load a native module), with every function
// the src/sys layer uses. Unavailable (no koffi binary for the platform): null, and callers turn
// that into a value, never an exception.

import { createRequire } from 'node:module';
import { constants, endianness } from 'node:os';

// Linux ABI constants shared by the socket modules (include/linux/socket.h,
// asm-generic/socket.h).
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_PACKET = 17;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SO_BINDTODEVICE = 25;
export const MSG_DONTWAIT = 0x40;
// include/uapi/linux/in.h, in6.h.
export const IPPROTO_IP = 0;
export const IPPROTO_IPV6 = 41;
export const IPPROTO_ICMPV6 = 58;

/** Memory outside the JS heap: stable addresses for structures that hold pointers (msghdr). */
export interface NativeBlock {
  /** What koffi passes as a `void *` argument. */
  readonly pointer: unknown;
  /** The block's address, for pointer fields written into other structures. */
  readonly address: bigint;
  /** A view of the whole block, without copies. */
  readonly bytes: Uint8Array;
}

/** A libuv poll handle on the calling thread's event loop (koffi's `node.poll`). */
export interface FdWatch {
  close: () => void;
  ref: () => void;
  unref: () => void;
}

export interface Libc {
  socket: (domain: number, type: number, protocol: number) => number;
  setsockopt: (
    fd: number,
    level: number,
    name: number,
    value: Int32Array | Uint8Array,
    len: number,
  ) => number;
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
  /** recvmsg(2) on a msghdr that lives in a NativeBlock. */
  recvmsg: (fd: number, msg: unknown, flags: number) => number;
  /** if_nametoindex(3): 0 when there is no such interface. */
  ifNametoindex: (name: string) => number;
  close: (fd: number) => number;
  errno: () => number;
  strerror: (errnum: number) => string;
  alloc: (size: number) => NativeBlock;
  free: (block: NativeBlock) => void;
  /**
   * Level-triggered readiness callbacks on the event loop of the calling thread (epoll through
   * libuv's uv_poll_t): no thread-pool thread, no timer. `status` is 0 or a negative errno.
   */
  watchReadable: (fd: number, cb: (status: number) => void) => FdWatch | null;
}

interface Koffi {
  load: (name: string) => {
    func: {
      (sig: string): (...args: unknown[]) => number;
      (name: string, ret: string, args: unknown[]): KoffiFn;
    };
  };
  errno: () => number;
  alloc: (type: string, n: number) => unknown;
  free: (p: unknown) => void;
  view: (p: unknown, n: number) => ArrayBuffer;
  address: (p: unknown) => bigint;
  sizeof: (type: string) => number;
  node: {
    poll: (fd: number, opts: { readable: boolean }, cb: (status: number) => void) => FdWatch | null;
  };
}

let libc: Libc | null | undefined;

export function loadLibc(): Libc | null {
  if (libc !== undefined) return libc;
  try {
    // koffi is CommonJS; createRequire keeps it out of the ESM graph until first use.
    const koffi = createRequire(import.meta.url)('koffi') as Koffi;
    // The structures built by hand in src/sys (msghdr, cmsghdr, sockaddr_ll) assume LP64
    // little-endian, which covers every platform koffi ships Linux binaries for but ARM32.
    if (koffi.sizeof('void *') !== 8 || endianness() !== 'LE') throw new Error('not LP64 LE');
    const lib = koffi.load('libc.so.6');
    libc = {
      socket: lib.func('int socket(int, int, int)'),
      setsockopt: lib.func('int setsockopt(int, int, int, const void *, uint32_t)'),
      bind: lib.func('int bind(int, const void *, uint32_t)'),
      listen: lib.func('int listen(int, int)'),
      sendto: lib.func('intptr_t sendto(int, const void *, size_t, int, const void *, uint32_t)'),
      recvfrom: lib.func('intptr_t recvfrom(int, void *, size_t, int, void *, void *)'),
      recvmsg: lib.func('intptr_t recvmsg(int, void *, int)'),
      ifNametoindex: lib.func('unsigned int if_nametoindex(const char *)'),
      close: lib.func('int close(int)'),
      errno: () => koffi.errno(),
      strerror: strerrorBinding(lib),
      alloc: (size) => {
        const pointer = koffi.alloc('uint8_t', size);
        const bytes = new Uint8Array(koffi.view(pointer, size));
        return { pointer, address: koffi.address(pointer), bytes };
      },
      free: (block) => koffi.free(block.pointer),
      watchReadable: (fd, cb) => {
        try {
          return koffi.node.poll(fd, { readable: true }, cb);
        } catch {
          return null; // uv_poll_init_socket refused the descriptor
        }
      },
    };
  } catch {
    libc = null;
  }
  return libc;
}

type KoffiFn = (...args: unknown[]) => unknown;

/** strerror(3), for the kernel's own wording of netlink errors. */
function strerrorBinding(lib: {
  func: (name: string, ret: string, args: unknown[]) => KoffiFn;
}): Libc['strerror'] {
  const strerror = lib.func('strerror', 'const char *', ['int']);
  return (errnum) => {
    const s = strerror(errnum);
    return typeof s === 'string' ? s : `errno ${errnum}`;
  };
}

const ERRNO_NAMES = new Map<number, string>(
  Object.entries(constants.errno).map(([name, n]) => [n, name]),
);

/** The name of the last errno (`ECONNREFUSED`), or `errno N`. */
export function errnoName(c: Libc): string {
  return nameOfErrno(c.errno());
}

/** `ECONNREFUSED` for 111 (or -111, libuv's convention), `errno N` when unknown. */
export function nameOfErrno(n: number): string {
  return ERRNO_NAMES.get(Math.abs(n)) ?? `errno ${Math.abs(n)}`;
}
