// recvmsg(2) for raw sockets that need ancillary data (hop limit, destination, arrival
// interface; cmsg(3), ipv6(7), ip(7)). msghdr holds pointers, so it lives with its iovec, name,
// control and data buffers in one block of native memory whose address never moves; JS reads the
// results through a view of that block, so a receive copies nothing but the packet handed out.
// The layouts are LP64 (libc.ts refuses other ABIs).

import { AF_INET, AF_INET6, loadLibc, errnoName, MSG_DONTWAIT, type NativeBlock } from './libc.js';
import { formatIpv6 } from '../lib/inet.js';

// struct msghdr (LP64): name ptr @0, namelen u32 @8, iov ptr @16, iovlen @24, control ptr @32,
// controllen @40, flags i32 @48; struct iovec: base @0, len @8.
const MSGHDR = 0;
const IOVEC = 56;
const NAME = 72;
const NAME_LEN = 28; // sizeof(struct sockaddr_in6), the largest name a raw IP socket returns
const CONTROL = 104;
const CONTROL_LEN = 256;
const DATA = 360;
const MSG_TRUNC = 0x20;

export interface ControlMessage {
  readonly level: number;
  readonly type: number;
  readonly data: Uint8Array;
}

export type MessageResult =
  | {
      readonly ok: true;
      /** A copy of the payload, safe to keep. */
      readonly bytes: Uint8Array;
      /** The sender as text (`10.0.0.1`, `fe80::1`), or undefined for an unknown family. */
      readonly from: string | undefined;
      readonly control: readonly ControlMessage[];
      /** MSG_TRUNC: the datagram was larger than the buffer and was cut. */
      readonly truncated: boolean;
    }
  | { readonly ok: false; readonly code: string };

/** One reusable receive buffer for one socket; free() it when the socket closes. */
export class MessageBuffer {
  readonly #block: NativeBlock;
  readonly #view: DataView;
  readonly #dataSize: number;
  #freed = false;

  private constructor(block: NativeBlock, dataSize: number) {
    this.#block = block;
    this.#dataSize = dataSize;
    const b = block.bytes;
    this.#view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const base = block.address;
    this.#view.setBigUint64(MSGHDR, base + BigInt(NAME), true);
    this.#view.setBigUint64(MSGHDR + 16, base + BigInt(IOVEC), true);
    this.#view.setBigUint64(MSGHDR + 24, 1n, true);
    this.#view.setBigUint64(MSGHDR + 32, base + BigInt(CONTROL), true);
    this.#view.setBigUint64(IOVEC, base + BigInt(DATA), true);
    this.#view.setBigUint64(IOVEC + 8, BigInt(dataSize), true);
  }

  /** A buffer for datagrams up to `dataSize` bytes; undefined when koffi is unavailable. */
  static create(dataSize = 65536): MessageBuffer | undefined {
    const c = loadLibc();
    return c === null ? undefined : new MessageBuffer(c.alloc(DATA + dataSize), dataSize);
  }

  /** One recvmsg(fd, MSG_DONTWAIT); { ok: false, code: 'EAGAIN' } when nothing waits. */
  receive(fd: number): MessageResult {
    const c = loadLibc();
    if (c === null || this.#freed) return { ok: false, code: 'EBADF' };
    // recvmsg shrinks namelen and controllen to what it wrote: reset both every call.
    this.#view.setUint32(MSGHDR + 8, NAME_LEN, true);
    this.#view.setBigUint64(MSGHDR + 40, BigInt(CONTROL_LEN), true);
    const n = c.recvmsg(fd, this.#block.pointer, MSG_DONTWAIT);
    if (n < 0) {
      const code = errnoName(c);
      return { ok: false, code: code === 'EWOULDBLOCK' ? 'EAGAIN' : code };
    }
    const b = this.#block.bytes;
    const nameLen = this.#view.getUint32(MSGHDR + 8, true);
    const controlLen = Number(this.#view.getBigUint64(MSGHDR + 40, true));
    const flags = this.#view.getInt32(MSGHDR + 48, true);
    return {
      ok: true,
      bytes: b.slice(DATA, DATA + Math.min(n, this.#dataSize)),
      from: sockaddrText(b.subarray(NAME, NAME + nameLen)),
      control: parseControl(b.subarray(CONTROL, CONTROL + controlLen)),
      truncated: (flags & MSG_TRUNC) !== 0,
    };
  }

  free(): void {
    if (this.#freed) return;
    this.#freed = true;
    loadLibc()?.free(this.#block);
  }
}

/** The address of a sockaddr_in / sockaddr_in6 as text; undefined for other families. */
export function sockaddrText(sa: Uint8Array): string | undefined {
  if (sa.length < 2) return undefined;
  const family = new DataView(sa.buffer, sa.byteOffset, sa.byteLength).getUint16(0, true);
  if (family === AF_INET && sa.length >= 8) return Array.from(sa.subarray(4, 8)).join('.');
  if (family === AF_INET6 && sa.length >= 24) return formatIpv6(sa.subarray(8, 24));
  return undefined;
}

/**
 * The control messages of a msghdr (LP64 struct cmsghdr: len u64, level i32, type i32, data,
 * each padded to 8 bytes as CMSG_NXTHDR does). Stops at the first malformed header.
 */
export function parseControl(bytes: Uint8Array): ControlMessage[] {
  const out: ControlMessage[] = [];
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let off = 0; off + 16 <= bytes.length;) {
    const len = Number(v.getBigUint64(off, true));
    if (len < 16 || off + len > bytes.length) break;
    out.push({
      level: v.getInt32(off + 8, true),
      type: v.getInt32(off + 12, true),
      data: bytes.slice(off + 16, off + len),
    });
    off += (len + 7) & ~7;
  }
  return out;
}
