// One notify FIFO (notify_fifo, vrrp_notify_fifo, lvs_notify_fifo; reference §1.3, §2.9). The
// FIFO is created with coreutils `mkfifo -m 600` when missing (Node has no mkfifo(3)) and chowned
// to its `user [group]`; an existing path must be a FIFO. It is opened read-write and
// non-blocking, as keepalived does: opening never waits for a reader, a reader that goes away
// never raises EPIPE, and lines written while nobody reads wait in the kernel's pipe buffer
// (64 KiB) for the next reader. When that buffer is full (EAGAIN) lines wait in a bounded
// in-memory backlog, retried every `retryMs`; past the bound the oldest are dropped and counted.
// Lines are shorter than PIPE_BUF, so each is written whole or not at all (pipe(7)).

import { execFile } from 'node:child_process';
import { constants, write } from 'node:fs';
import { chown, lstat, open, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { systemClock, type Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import type { ScriptIds } from './spawner.js';

export interface NotifyFifoOptions {
  readonly log: Logger;
  readonly clock?: Clock;
  /** Owner for a FIFO this creates (the FifoSpec's user/group, resolved). */
  readonly owner?: ScriptIds;
  /** Lines kept in memory while the pipe is full (default 1024). */
  readonly maxBacklog?: number;
  readonly retryMs?: number;
}

export interface NotifyFifoStats {
  written: number;
  dropped: number;
}

async function ensureFifo(path: string, owner: ScriptIds | undefined): Promise<void> {
  try {
    const st = await lstat(path);
    if (!st.isFIFO()) throw new Error(`${path} exists and is not a FIFO`);
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await promisify(execFile)('mkfifo', ['-m', '600', path]);
  if (owner !== undefined) await chown(path, owner.uid, owner.gid);
}

export class NotifyFifo {
  readonly path: string;
  readonly #fh: FileHandle;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #max: number;
  readonly #retryMs: number;
  readonly #backlog: Buffer[] = [];
  #writing = false;
  #cancelRetry: (() => void) | undefined;
  #closed = false;
  readonly stats: NotifyFifoStats = { written: 0, dropped: 0 };

  private constructor(path: string, fh: FileHandle, o: NotifyFifoOptions) {
    this.path = path;
    this.#fh = fh;
    this.#log = o.log;
    this.#clock = o.clock ?? systemClock;
    this.#max = o.maxBacklog ?? 1024;
    this.#retryMs = o.retryMs ?? 1000;
  }

  /** Creates the FIFO if missing and opens it; rejects when the path is not a FIFO. */
  static async open(path: string, options: NotifyFifoOptions): Promise<NotifyFifo> {
    await ensureFifo(path, options.owner);
    const fh = await open(
      path,
      constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOFOLLOW, // libuv adds O_CLOEXEC
    );
    return new NotifyFifo(path, fh, options);
  }

  /** Queues one line (newline added); never waits. */
  write(line: string): void {
    if (this.#closed) return;
    if (this.#backlog.length >= this.#max) {
      this.#backlog.shift();
      this.stats.dropped++;
      this.#log.warn(
        { fifo: this.path, dropped: this.stats.dropped },
        'notify fifo full, line dropped',
      );
    }
    this.#backlog.push(Buffer.from(`${line}\n`));
    this.#flush();
  }

  /** Lines waiting in memory (not yet in the pipe). */
  get backlog(): number {
    return this.#backlog.length;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelRetry?.();
    // Wait for a write in flight: closing the fd under it would write to a reused descriptor.
    while (this.#writing) await new Promise((r) => setImmediate(r));
    await this.#fh.close();
  }

  #flush(): void {
    const head = this.#backlog[0];
    if (this.#writing || this.#cancelRetry !== undefined || head === undefined) return;
    if (this.#closed) return;
    this.#writing = true;
    // The callback API, not FileHandle.write: EAGAIN must come back as an error, not a retry.
    write(this.#fh.fd, head, 0, head.length, null, (err, n) => {
      this.#writing = false;
      if (err !== null) {
        if (err.code !== 'EAGAIN') {
          this.#backlog.shift();
          this.stats.dropped++;
          this.#log.error({ err, fifo: this.path }, 'notify fifo write failed');
        }
        if (this.#closed) return;
        this.#cancelRetry = this.#clock.setTimer(this.#retryMs, () => {
          this.#cancelRetry = undefined;
          this.#flush();
        });
        return;
      }
      if (n < head.length) this.#backlog[0] = head.subarray(n);
      else {
        this.#backlog.shift();
        this.stats.written++;
      }
      this.#flush();
    });
  }
}
