// Readiness-driven reads of descriptors Node cannot wrap itself (raw IP, AF_PACKET and netlink
// sockets: libuv's uv_guess_handle calls them "unknown", so net/dgram refuse them). The
// descriptor is registered with the event loop of the calling thread through libuv's uv_poll_t
// (koffi's `node.poll`): epoll wakes the loop when a packet waits and `onReadable` drains it with
// MSG_DONTWAIT reads. Nothing blocks, no thread-pool thread is held (a poll(2) issued as a koffi
// async call would pin one of the four pool threads per socket, and close() would wait out its
// timeout). Latency is Node's own: median send-to-callback on loopback ≈ 25-35 µs against
// ≈ 17-30 µs for a node:dgram socket (test/integration/sys-vrrp-socket.test.ts prints both; the
// gap is recvmsg and cmsg parsing, not the wake-up). Works in worker threads. koffi's node.poll
// is marked undocumented upstream; koffi is pinned, and this file is the only user.

import { loadLibc, nameOfErrno, type FdWatch } from './libc.js';

export type ReaderResult =
  | { readonly ok: true; readonly reader: PollReader }
  | { readonly ok: false; readonly code: string; readonly syscall: string };

/**
 * Calls `onReadable` whenever `fd` has data, until `close()`. Level-triggered: a callback that
 * leaves data queued (say, it drains at most N packets to keep the loop fair) is called again on
 * the next loop iteration. `onError` gets the errno name if the loop reports the descriptor
 * broken; the reader stops watching then.
 */
export class PollReader {
  readonly fd: number;
  #watch: FdWatch | undefined;
  #ownsFd: boolean;

  private constructor(fd: number, ownsFd: boolean) {
    this.fd = fd;
    this.#ownsFd = ownsFd;
  }

  /** Starts watching `fd`. With `ownsFd`, close() closes the descriptor too. */
  static start(
    fd: number,
    onReadable: () => void,
    onError?: (code: string) => void,
    ownsFd = false,
  ): ReaderResult {
    const c = loadLibc();
    if (c === null) return { ok: false, code: 'ENOSYS', syscall: 'koffi' };
    const reader = new PollReader(fd, ownsFd);
    const watch = c.watchReadable(fd, (status) => {
      if (reader.#watch === undefined) return; // closed by an earlier callback in this tick
      if (status < 0) {
        reader.#stop();
        onError?.(nameOfErrno(status));
        return;
      }
      onReadable();
    });
    if (watch === null) return { ok: false, code: 'EBADF', syscall: 'uv_poll_init' };
    reader.#watch = watch;
    return { ok: true, reader };
  }

  get closed(): boolean {
    return this.#watch === undefined;
  }

  /** Lets the process exit while this reader is the only thing left on the loop. */
  unref(): void {
    this.#watch?.unref();
  }

  ref(): void {
    this.#watch?.ref();
  }

  /**
   * Stops watching, then (if owned) closes the descriptor. uv_poll_stop removes the descriptor
   * from epoll synchronously, so closing right after is safe: no callback can see a reused fd
   * number. Idempotent.
   */
  close(): void {
    this.#stop();
    if (this.#ownsFd) {
      this.#ownsFd = false;
      loadLibc()?.close(this.fd);
    }
  }

  #stop(): void {
    this.#watch?.close();
    this.#watch = undefined;
  }
}
