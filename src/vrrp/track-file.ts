// track_file (reference §1.5; keepalived track_file.c). The file holds an integer read as C's
// strtol(buf, NULL, 0) reads it: leading blanks, a sign, 0x hex or 0 octal, digits up to the first
// non-digit, and 0 when there are no digits. A missing or empty file is 0, as is a file that has
// been deleted or moved away; a number outside int32 is logged and ignored (the old value stays).
// keepalived watches the directory with inotify; we use fs.watch on the directory (so a file
// replaced by rename is seen) plus a slow poll, because fs.watch can miss events (NFS, overlay).
// Reads are synchronous and at most 127 bytes, like keepalived's single read().
//
// init_file: a missing file is created with the value; an existing one is overwritten only with
// `overwrite`, only if it is a regular file, and not on reload. keepalived drops a track_file
// whose directory does not exist; we log the same and keep reporting 0 while polling, so the
// file is picked up if the directory appears later.

import { watch, closeSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { TrackFile } from '../config/model.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

export type TrackFileValue =
  { readonly ok: true; readonly value: number } | { readonly ok: false; readonly value: number };

/** strtol(text, NULL, 0) limited to int32: `ok: false` carries the out-of-range number. */
export function parseTrackFileValue(text: string): TrackFileValue {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)?/.exec(text);
  const digits = m?.[2];
  if (digits === undefined) return { ok: true, value: 0 };
  const sign = m?.[1] === '-' ? -1n : 1n;
  const big =
    /^0[xX]/.test(digits) || digits === '0'
      ? BigInt(digits)
      : digits.startsWith('0')
        ? BigInt(`0o${digits.slice(1)}`)
        : BigInt(digits);
  const n = Number(sign * big);
  return n < INT32_MIN || n > INT32_MAX ? { ok: false, value: n } : { ok: true, value: n };
}

/** Read the file now; `ok: false` when it holds a number out of int32 range (keep the old value). */
export function readTrackFile(path: string): TrackFileValue {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { ok: true, value: 0 };
  }
  try {
    const buf = Buffer.alloc(127);
    const n = readSync(fd, buf, 0, buf.length, null);
    return parseTrackFileValue(buf.toString('latin1', 0, n));
  } catch {
    return { ok: true, value: 0 };
  } finally {
    closeSync(fd);
  }
}

/** init_file at start: returns an error text for the log, or undefined. */
export function initTrackFile(spec: TrackFile, reload = false): string | undefined {
  const init = spec.initFile;
  if (init === undefined) return undefined;
  try {
    const st = statSync(spec.file);
    if (!init.overwrite) return undefined;
    if (!st.isFile()) return `Cannot initialise track file ${spec.name} - it is not a regular file`;
    if (reload) return undefined;
  } catch {
    // missing: create it
  }
  try {
    writeFileSync(spec.file, `${init.value}\n`);
    return undefined;
  } catch {
    return `Unable to initialise track file ${spec.name}`;
  }
}

export interface TrackFileWatcherOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Poll period behind fs.watch (default 1000 ms). */
  readonly pollMs?: number;
  /** fs.watch on the directory (default true); tests of the poll path turn it off. */
  readonly useFsWatch?: boolean;
  readonly onChange?: (value: number) => void;
}

/** One watched track_file; `value` is always current after start(). */
export class TrackFileWatcher {
  readonly #spec: TrackFile;
  readonly #opts: TrackFileWatcherOptions;
  #value = 0;
  #watcher: FSWatcher | undefined;
  #cancelPoll: (() => void) | undefined;
  #closed = false;

  constructor(spec: TrackFile, opts: TrackFileWatcherOptions) {
    this.#spec = spec;
    this.#opts = opts;
  }

  get name(): string {
    return this.#spec.name;
  }

  get value(): number {
    return this.#value;
  }

  start(): void {
    const dir = dirname(this.#spec.file);
    let dirOk = false;
    try {
      dirOk = statSync(dir).isDirectory();
    } catch {
      // reported below
    }
    if (!dirOk)
      this.#opts.logger.warn(
        { trackFile: this.#spec.name },
        `Track file directory for ${this.#spec.name} does not exist - removing`,
      );
    this.#read(true);
    if (dirOk && this.#opts.useFsWatch !== false) {
      const base = basename(this.#spec.file);
      try {
        this.#watcher = watch(dir, { persistent: false }, (_event, filename) => {
          if (filename === null || filename === base) this.#read(false);
        });
        this.#watcher.on('error', () => {
          // The directory went away; the poll carries on.
          this.#watcher?.close();
          this.#watcher = undefined;
        });
      } catch {
        this.#watcher = undefined;
      }
    }
    this.#cancelPoll = this.#opts.clock.every(this.#opts.pollMs ?? 1000, () => this.#read(false));
  }

  /** Re-read now (the daemon may call this on SIGHUP-like events; tests use it). */
  refresh(): void {
    this.#read(false);
  }

  close(): void {
    this.#closed = true;
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#cancelPoll?.();
    this.#cancelPoll = undefined;
  }

  #read(initial: boolean): void {
    if (this.#closed) return;
    const got = readTrackFile(this.#spec.file);
    if (!got.ok) {
      this.#opts.logger.info(
        { trackFile: this.#spec.name },
        `Invalid number ${got.value} read from ${this.#spec.file} - ignoring`,
      );
      return;
    }
    if (got.value === this.#value) return;
    this.#value = got.value;
    if (!initial) this.#opts.onChange?.(got.value);
  }
}

/**
 * Whether a track_file leaves its tracker out of fault (keepalived track_file.c): with weight 0 a
 * non-zero value is a fault (reverse: a zero value is); otherwise value × weight × (reverse ? −1
 * : 1), clamped to −254..253, is a fault at −254.
 */
export function trackFileUp(value: number, weight: number, reverse: boolean): boolean {
  if (weight === 0) return (value !== 0) === reverse;
  return value * weight * (reverse ? -1 : 1) > -254;
}
