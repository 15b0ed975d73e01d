// Addresses as 32-bit numbers for the connection table's typed arrays: an IPv4 address is its
// own value; an IPv6 address is interned (canonical text → small id, reference counted and
// recycled), so a million IPv4 connections cost no strings at all and IPv6 ones share one
// string per distinct address. Persistence masking (shared/reference/ipvs.md §2) lives here
// too because it works on the encoded form.

import { formatIpv6, ipv6Bytes, numberToIpv4, type Family } from '../lib/inet.js';

/** Dotted quad → u32 without allocating; the caller passes canonical, valid text. */
export function parseIpv4(text: string): number {
  let acc = 0;
  let part = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      acc = acc * 256 + part;
      part = 0;
    } else {
      part = part * 10 + (c - 48);
    }
  }
  return acc * 256 + part;
}

/** IPv4 netmask as u32 for a prefix length 0..32. */
export function ipv4Mask(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

/** IPv6 text with all bits past `prefixLength` cleared, canonical. */
export function maskIpv6(text: string, prefixLength: number): string {
  const bytes = ipv6Bytes(text);
  if (bytes === undefined) return text;
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, prefixLength - i * 8));
    bytes[i] = (bytes[i] ?? 0) & ((0xff << (8 - keep)) & 0xff);
  }
  return formatIpv6(bytes);
}

export class AddrPool {
  readonly #ids = new Map<string, number>();
  readonly #texts: (string | undefined)[] = [];
  readonly #refs: number[] = [];
  readonly #free: number[] = [];

  /** Encode and take a reference (IPv6); IPv4 needs no bookkeeping. */
  acquire(text: string, family: Family): number {
    if (family === 'inet') return parseIpv4(text);
    let id = this.#ids.get(text);
    if (id === undefined) {
      id = this.#free.pop() ?? this.#texts.length;
      this.#ids.set(text, id);
      this.#texts[id] = text;
      this.#refs[id] = 0;
    }
    this.#refs[id] = (this.#refs[id] ?? 0) + 1;
    return id;
  }

  /** Take another reference on an already encoded address. */
  retain(code: number, v6: boolean): void {
    if (v6) this.#refs[code] = (this.#refs[code] ?? 0) + 1;
  }

  /** Encode for lookup only: -1 when an IPv6 address is not known (nothing can match it). */
  peek(text: string, family: Family): number {
    return family === 'inet' ? parseIpv4(text) : (this.#ids.get(text) ?? -1);
  }

  release(code: number, v6: boolean): void {
    if (!v6) return;
    const left = (this.#refs[code] ?? 1) - 1;
    this.#refs[code] = left;
    if (left > 0) return;
    const text = this.#texts[code];
    if (text !== undefined) this.#ids.delete(text);
    this.#texts[code] = undefined;
    this.#free.push(code);
  }

  text(code: number, v6: boolean): string {
    return v6 ? (this.#texts[code] ?? '::') : numberToIpv4(code);
  }

  /** Interned IPv6 addresses currently alive (for tests and leak checks). */
  get size(): number {
    return this.#ids.size;
  }
}
