// Netlink attributes (struct nlattr: u16 length, u16 type, value padded to 4 bytes) written into
// one growing buffer, nested attributes included, in the style of pg-protocol's Writer: a
// request of a dozen attributes costs one allocation instead of two per attribute, which is
// what a data plane sending thousands of requests at start notices. Host-endian like netlink,
// with big-endian variants for the fields IPVS keeps in network order.

import { endianness } from 'node:os';

const LE = endianness() === 'LE';
const TEXT = new TextEncoder();

export class NlaWriter {
  #buf: Uint8Array;
  #dv: DataView;
  #at = 0;

  constructor(size = 256) {
    this.#buf = new Uint8Array(size);
    this.#dv = new DataView(this.#buf.buffer);
  }

  #ensure(n: number): void {
    if (this.#at + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#at + n));
    next.set(this.#buf.subarray(0, this.#at));
    this.#buf = next;
    this.#dv = new DataView(next.buffer);
  }

  /** Header for `len` value bytes; returns where the value goes. */
  #header(type: number, len: number): number {
    const padded = (4 + len + 3) & ~3;
    this.#ensure(padded);
    const at = this.#at;
    this.#dv.setUint16(at, 4 + len, LE);
    this.#dv.setUint16(at + 2, type, LE);
    // Padding must be zero; a reused region may hold older bytes.
    this.#buf.fill(0, at + 4, at + padded);
    this.#at = at + padded;
    return at + 4;
  }

  // Each writer takes the value's offset first: #header may grow the buffer, and
  // `this.#dv.setUint16(this.#header(…))` would read the old view before the call.

  u8(type: number, v: number): this {
    const at = this.#header(type, 1);
    this.#buf[at] = v & 0xff;
    return this;
  }

  u16(type: number, v: number, bigEndian = false): this {
    const at = this.#header(type, 2);
    this.#dv.setUint16(at, v & 0xffff, bigEndian ? false : LE);
    return this;
  }

  u32(type: number, v: number, bigEndian = false): this {
    const at = this.#header(type, 4);
    this.#dv.setUint32(at, v >>> 0, bigEndian ? false : LE);
    return this;
  }

  bytes(type: number, b: Uint8Array): this {
    const at = this.#header(type, b.length);
    this.#buf.set(b, at);
    return this;
  }

  /** A NUL-terminated string. */
  string(type: number, s: string): this {
    const text = TEXT.encode(s);
    const at = this.#header(type, text.length + 1);
    this.#buf.set(text, at);
    return this;
  }

  /** A nested attribute holding what `fill` writes. */
  nest(type: number, fill: (w: this) => void): this {
    const start = this.#header(type, 0) - 4;
    fill(this);
    this.#dv.setUint16(start, this.#at - start, LE);
    return this;
  }

  /** The attributes written so far (a copy). */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#at);
  }
}
