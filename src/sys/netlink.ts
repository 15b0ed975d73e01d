// NETLINK_ROUTE sockets (netlink(7), rtnetlink(7)) through koffi. A request opens its own
// socket, sends one message and reads until the kernel's ACK, error or NLMSG_DONE. The kernel
// answers rtnetlink requests inside sendmsg (and produces dump pages inside recvmsg), so the
// reads do not wait in practice; SO_RCVTIMEO bounds them anyway, so a request can never hang the
// event loop. A fresh socket per request keeps stale replies of an earlier, timed-out request
// out of the next one. Failures are values: { ok: false, code: 'EEXIST', message }.

import { getSystemErrorName } from 'node:util';
import {
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOL_SOCKET,
  MSG_DONTWAIT,
  errnoName,
  loadLibc,
  type Libc,
} from './libc.js';
import {
  decodeNlError,
  decodeNlMessages,
  encodeNlMessage,
  NLM_F,
  NLMSG,
  type NlMessage,
  type RtAttr,
} from './rtnl-codec.js';

export { MSG_DONTWAIT };

// Linux ABI constants (linux/netlink.h, linux/socket.h, asm-generic/socket.h).
export const AF_NETLINK = 16;
const NETLINK_ROUTE = 0;
const SO_RCVBUF = 8;
const SO_RCVTIMEO = 20; // SO_RCVTIMEO_OLD: struct timeval with the platform's long
const SO_SNDTIMEO = 21;
const SO_RCVBUFFORCE = 33;
const SOL_NETLINK = 270;
const NETLINK_CAP_ACK = 10;
const NETLINK_EXT_ACK = 11;
const MSG_TRUNC = 0x20;

/** Large enough for any dump page (the kernel caps them at 32 KiB). */
export const RECV_BUFFER_SIZE = 65536;
const DEFAULT_TIMEOUT_MS = 1000;

export interface RtnlFailure {
  readonly ok: false;
  /** errno name ('EEXIST', 'EADDRNOTAVAIL', 'ENODEV', ...), or 'EPROTO' for a garbled reply. */
  readonly code: string;
  readonly message: string;
}

export type RtnlReply =
  { readonly ok: true; readonly messages: readonly NlMessage[] } | RtnlFailure;

export interface RtnlRequest {
  readonly type: number;
  /** NLM_F_* modifiers beyond REQUEST (and ACK, added for non-dumps): CREATE, EXCL, DUMP. */
  readonly flags: number;
  readonly body: Uint8Array;
  readonly attrs?: readonly RtAttr[];
}

export function fail(code: string, message: string): RtnlFailure {
  return { ok: false, code, message };
}

/** struct sockaddr_nl: the kernel (pid 0) as destination, or our own bind with `groups`. */
export function sockaddrNl(groups: number): Uint8Array {
  const b = new Uint8Array(12);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, AF_NETLINK, true);
  dv.setUint32(8, groups >>> 0, true);
  return b;
}

export type OpenResult = { readonly ok: true; readonly fd: number } | RtnlFailure;

/**
 * A bound NETLINK_ROUTE socket. `groups`: RTMGRP_* multicast bits for a monitor (0 for
 * requests); `nonblocking`: SOCK_NONBLOCK, for sockets read only after poll.
 */
export function openNetlink(
  groups: number,
  opts: {
    readonly nonblocking?: boolean;
    readonly rcvbuf?: number;
    /** NETLINK_ROUTE (default) or another netlink family (NETLINK_NETFILTER = 12). */
    readonly protocol?: number;
  } = {},
): OpenResult {
  const c = loadLibc();
  if (c === null) return fail('ENOSYS', 'native calls are unavailable (koffi)');
  const type = SOCK_RAW | SOCK_CLOEXEC | (opts.nonblocking === true ? SOCK_NONBLOCK : 0);
  const fd = c.socket(AF_NETLINK, type, opts.protocol ?? NETLINK_ROUTE);
  if (fd < 0) return sysFail(c, 'socket');
  const one = new Int32Array([1]);
  // Extended ACKs carry the kernel's reason text; CAP_ACK stops it echoing whole requests.
  c.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, one, 4);
  c.setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, one, 4);
  if (opts.rcvbuf !== undefined) {
    const size = new Int32Array([opts.rcvbuf]);
    // FORCE needs CAP_NET_ADMIN; without it the plain option (capped by rmem_max) still helps.
    if (c.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, size, 4) !== 0)
      c.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, size, 4);
  }
  const addr = sockaddrNl(groups);
  if (c.bind(fd, addr, addr.length) !== 0) {
    const f = sysFail(c, 'bind');
    c.close(fd);
    return f;
  }
  return { ok: true, fd };
}

function sysFail(c: Libc, syscall: string): RtnlFailure {
  const code = errnoName(c);
  return fail(code, `${syscall}: ${code}`);
}

/** An errno from the kernel as a failure value, with its ext-ack text or strerror(3). */
export function errnoFailure(errno: number, text: string | undefined): RtnlFailure {
  const code = errnoCode(errno);
  const c = loadLibc();
  return fail(code, text ?? c?.strerror(errno) ?? code);
}

function errnoCode(errno: number): string {
  try {
    return getSystemErrorName(-errno);
  } catch {
    return `errno ${errno}`;
  }
}

export type RecvResult =
  { readonly ok: true; readonly data: Uint8Array } | { readonly ok: false; readonly code: string };

/** One recvfrom(2); datagrams not sent by the kernel (nl_pid ≠ 0) come back as 'EAGAIN'. */
export function netlinkRecv(fd: number, buf: Uint8Array, flags: number): RecvResult {
  const c = loadLibc();
  if (c === null) return { ok: false, code: 'ENOSYS' };
  const from = new Uint8Array(12);
  const fromLen = new Uint32Array([from.length]);
  const n = c.recvfrom(fd, buf, buf.length, flags | MSG_TRUNC, from, fromLen);
  if (n < 0) {
    const code = errnoName(c);
    return { ok: false, code: code === 'EWOULDBLOCK' ? 'EAGAIN' : code };
  }
  if (n > buf.length) return { ok: false, code: 'EMSGSIZE' };
  if (new DataView(from.buffer).getUint32(4, true) !== 0) return { ok: false, code: 'EAGAIN' };
  return { ok: true, data: buf.slice(0, n) };
}

export function closeNetlink(fd: number): void {
  loadLibc()?.close(fd);
}

let nextSeq = (Date.now() & 0xffff) << 8;

/** Send one request and collect its replies (data messages only; the ACK ends the exchange). */
export function rtnlRequest(
  req: RtnlRequest,
  opts: { readonly timeoutMs?: number; readonly protocol?: number } = {},
): RtnlReply {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const dump = (req.flags & NLM_F.DUMP) === NLM_F.DUMP;
  // A dump interrupted by a concurrent change (NLM_F_DUMP_INTR) is retried a few times.
  for (let attempt = 0; ; attempt++) {
    const r = exchange(req, dump, timeoutMs, opts.protocol);
    if (r !== 'interrupted') return r;
    if (attempt === 2) return fail('EINTR', 'dump kept changing while it was read');
  }
}

function exchange(
  req: RtnlRequest,
  dump: boolean,
  timeoutMs: number,
  protocol: number | undefined,
): RtnlReply | 'interrupted' {
  const c = loadLibc();
  if (c === null) return fail('ENOSYS', 'native calls are unavailable (koffi)');
  const opened = openNetlink(0, protocol === undefined ? {} : { protocol });
  if (!opened.ok) return opened;
  const fd = opened.fd;
  try {
    const tv = new Int32Array(4); // struct timeval { long tv_sec; long tv_usec } on LP64, LE
    tv[0] = Math.floor(timeoutMs / 1000);
    tv[2] = (timeoutMs % 1000) * 1000;
    c.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16);
    c.setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, tv, 16);
    nextSeq = (nextSeq + 1) >>> 0;
    const seq = nextSeq;
    const flags = NLM_F.REQUEST | req.flags | (dump ? 0 : NLM_F.ACK);
    const msg = encodeNlMessage({ type: req.type, flags, seq }, req.body, req.attrs);
    const kernel = sockaddrNl(0);
    const sent = c.sendto(fd, msg, msg.length, 0, kernel, kernel.length);
    if (sent !== msg.length)
      return sent < 0 ? sysFail(c, 'sendto') : fail('EMSGSIZE', 'short send');
    const buf = new Uint8Array(RECV_BUFFER_SIZE);
    const out: NlMessage[] = [];
    let interrupted = false;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() <= deadline) {
      const got = netlinkRecv(fd, buf, 0);
      if (!got.ok) {
        if (got.code === 'EAGAIN') continue; // a stray datagram, or SO_RCVTIMEO expired
        return fail(got.code, `recvfrom: ${got.code}`);
      }
      const msgs = decodeNlMessages(got.data);
      if (!msgs.ok) return fail('EPROTO', `garbled netlink reply (${msgs.reason})`);
      for (const m of msgs.value) {
        if (m.seq !== seq) continue;
        if ((m.flags & NLM_F.DUMP_INTR) !== 0) interrupted = true;
        if (m.type === NLMSG.ERROR) {
          const e = decodeNlError(m.payload, m.flags);
          if (!e.ok) return fail('EPROTO', `garbled netlink error (${e.reason})`);
          if (e.value.errno === 0) return { ok: true, messages: out };
          return errnoFailure(e.value.errno, e.value.message);
        }
        if (m.type === NLMSG.DONE) return interrupted ? 'interrupted' : { ok: true, messages: out };
        if (m.type === NLMSG.NOOP) continue;
        out.push(m);
      }
    }
    return fail('ETIMEDOUT', `no answer from the kernel within ${timeoutMs} ms`);
  } finally {
    c.close(fd);
  }
}
