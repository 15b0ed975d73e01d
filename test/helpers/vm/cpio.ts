// A writer for the kernel's initramfs format: a "newc" cpio archive (the kernel's
// Documentation/driver-api/early-userspace/buffer-format). Written here rather than with the
// cpio tool so that an image built without root still holds root-owned files and device
// nodes (/dev/console), files are streamed from where they lie (the 100 MB node binary is not
// copied into a staging tree first), and parent directories always precede their entries, as
// the kernel's unpacker needs. Several archives concatenated are one initramfs: later ones add
// to (and overwrite in) what earlier ones unpacked.

import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path/posix';

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;
const CHUNK = 1 << 20;

/** One archive being written; finish() writes the trailer and closes the file. */
export class CpioWriter {
  readonly #fd: number;
  readonly #dirs = new Set<string>(['.']);
  readonly #mtime: number;
  #ino = 1;
  #pos = 0;

  constructor(path: string, mtimeSeconds = Math.floor(Date.now() / 1000)) {
    this.#fd = openSync(path, 'w', 0o644);
    this.#mtime = mtimeSeconds;
  }

  /** A directory (and its parents). Paths are relative to the root: `usr/bin`. */
  dir(path: string, mode = 0o755): void {
    const p = clean(path);
    if (this.#dirs.has(p)) return;
    this.#parents(p);
    this.#entry(p, S_IFDIR | mode, 0, undefined);
    this.#dirs.add(p);
  }

  /** A regular file with the given content. */
  data(path: string, content: string | Buffer, mode = 0o644): void {
    const p = clean(path);
    this.#parents(p);
    const buf = typeof content === 'string' ? Buffer.from(content) : content;
    this.#entry(p, S_IFREG | mode, buf.length, undefined);
    this.#write(buf);
    this.#pad();
  }

  /** A regular file copied from the host; its permission bits unless `mode` is given. */
  file(path: string, source: string, mode?: number): void {
    const p = clean(path);
    this.#parents(p);
    const src = openSync(source, 'r');
    try {
      const st = fstatSync(src);
      this.#entry(p, S_IFREG | (mode ?? st.mode & 0o7777), st.size, undefined);
      const buf = Buffer.allocUnsafe(CHUNK);
      let left = st.size;
      while (left > 0) {
        const n = readSync(src, buf, 0, Math.min(CHUNK, left), null);
        if (n === 0) throw new Error(`${source} shrank while being archived`);
        this.#write(buf.subarray(0, n));
        left -= n;
      }
      this.#pad();
    } finally {
      closeSync(src);
    }
  }

  symlink(path: string, target: string): void {
    const p = clean(path);
    this.#parents(p);
    const buf = Buffer.from(target);
    this.#entry(p, S_IFLNK | 0o777, buf.length, undefined);
    this.#write(buf);
    this.#pad();
  }

  charDevice(path: string, major: number, minor: number, mode = 0o600): void {
    const p = clean(path);
    this.#parents(p);
    this.#entry(p, S_IFCHR | mode, 0, [major, minor]);
  }

  /** Bytes written so far. */
  get size(): number {
    return this.#pos;
  }

  finish(): void {
    this.#entry('TRAILER!!!', 0, 0, undefined, 0);
    // Pad to 512 bytes, as cpio does; the kernel skips zeros between concatenated archives.
    const rest = (512 - (this.#pos % 512)) % 512;
    if (rest > 0) this.#write(Buffer.alloc(rest));
    closeSync(this.#fd);
  }

  #parents(path: string): void {
    const parent = dirname(path);
    if (!this.#dirs.has(parent)) this.dir(parent);
  }

  #entry(
    name: string,
    mode: number,
    size: number,
    rdev: readonly [number, number] | undefined,
    nlink = mode === 0 ? 0 : 1,
  ): void {
    const nameBytes = Buffer.from(`${name}\0`);
    const fields = [
      mode === 0 ? 0 : this.#ino++,
      mode,
      0, // uid
      0, // gid
      nlink,
      mode === 0 ? 0 : this.#mtime,
      size,
      0, // devmajor
      0, // devminor
      rdev?.[0] ?? 0,
      rdev?.[1] ?? 0,
      nameBytes.length,
      0, // check
    ];
    const header = '070701' + fields.map((f) => f.toString(16).padStart(8, '0')).join('');
    this.#write(Buffer.from(header, 'ascii'));
    this.#write(nameBytes);
    this.#pad();
  }

  #write(buf: Buffer): void {
    let off = 0;
    while (off < buf.length) off += writeSync(this.#fd, buf, off, buf.length - off);
    this.#pos += buf.length;
  }

  #pad(): void {
    const rest = (4 - (this.#pos % 4)) % 4;
    if (rest > 0) this.#write(Buffer.alloc(rest));
  }
}

function clean(path: string): string {
  const p = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (p === '' || p.split('/').includes('..')) throw new Error(`bad archive path: ${path}`);
  return p;
}
