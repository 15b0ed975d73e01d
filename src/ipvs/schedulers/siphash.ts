// hsiphash() of one u32 as a 64-bit kernel computes it for ip_vs_mh (lib/siphash.c): on
// 64-bit builds "HalfSipHash-1-3" is really SipHash-1-3 with 64-bit key words, truncated to
// 32 bits. The 4-byte message is the u32 in little-endian order (x86-64, arm64), so the final
// block is (4 << 56) | v. 64-bit words are carried as hi/lo 32-bit halves because BigInt is
// far too slow for a per-connection hash.

/** A 128-bit SipHash key as four 32-bit halves: key[0] hi/lo, key[1] hi/lo. */
export interface SipKey {
  readonly k0hi: number;
  readonly k0lo: number;
  readonly k1hi: number;
  readonly k1lo: number;
}

export function sipKey(k0: bigint, k1: bigint): SipKey {
  const mask = 0xffffffffn;
  return {
    k0hi: Number((k0 >> 32n) & mask),
    k0lo: Number(k0 & mask),
    k1hi: Number((k1 >> 32n) & mask),
    k1lo: Number(k1 & mask),
  };
}

// The state lives in module variables so the rounds stay allocation-free.
let v0h = 0;
let v0l = 0;
let v1h = 0;
let v1l = 0;
let v2h = 0;
let v2l = 0;
let v3h = 0;
let v3l = 0;

function sipRound(): void {
  let h: number;
  let l: number;
  // v0 += v1; v1 = rol(v1, 13); v1 ^= v0; v0 = rol(v0, 32)
  l = (v0l + v1l) >>> 0;
  v0h = (v0h + v1h + (l < v0l >>> 0 ? 1 : 0)) | 0;
  v0l = l;
  h = (v1h << 13) | (v1l >>> 19);
  l = (v1l << 13) | (v1h >>> 19);
  v1h = h ^ v0h;
  v1l = l ^ v0l;
  h = v0h;
  v0h = v0l;
  v0l = h;
  // v2 += v3; v3 = rol(v3, 16); v3 ^= v2
  l = (v2l + v3l) >>> 0;
  v2h = (v2h + v3h + (l < v2l >>> 0 ? 1 : 0)) | 0;
  v2l = l;
  h = (v3h << 16) | (v3l >>> 16);
  l = (v3l << 16) | (v3h >>> 16);
  v3h = h ^ v2h;
  v3l = l ^ v2l;
  // v0 += v3; v3 = rol(v3, 21); v3 ^= v0
  l = (v0l + v3l) >>> 0;
  v0h = (v0h + v3h + (l < v0l >>> 0 ? 1 : 0)) | 0;
  v0l = l;
  h = (v3h << 21) | (v3l >>> 11);
  l = (v3l << 21) | (v3h >>> 11);
  v3h = h ^ v0h;
  v3l = l ^ v0l;
  // v2 += v1; v1 = rol(v1, 17); v1 ^= v2; v2 = rol(v2, 32)
  l = (v2l + v1l) >>> 0;
  v2h = (v2h + v1h + (l < v2l >>> 0 ? 1 : 0)) | 0;
  v2l = l;
  h = (v1h << 17) | (v1l >>> 15);
  l = (v1l << 17) | (v1h >>> 15);
  v1h = h ^ v2h;
  v1l = l ^ v2l;
  h = v2h;
  v2h = v2l;
  v2l = h;
}

/** hsiphash(&v, sizeof(u32), key) on a 64-bit little-endian kernel. */
export function hsiphashU32(v: number, key: SipKey): number {
  v0h = 0x736f6d65 ^ key.k0hi;
  v0l = 0x70736575 ^ key.k0lo;
  v1h = 0x646f7261 ^ key.k1hi;
  v1l = 0x6e646f6d ^ key.k1lo;
  v2h = 0x6c796765 ^ key.k0hi;
  v2l = 0x6e657261 ^ key.k0lo;
  v3h = 0x74656462 ^ key.k1hi;
  v3l = 0x79746573 ^ key.k1lo;
  const bh = 4 << 24;
  const bl = v | 0;
  v3h ^= bh;
  v3l ^= bl;
  sipRound();
  v0h ^= bh;
  v0l ^= bl;
  v2l ^= 0xff;
  sipRound();
  sipRound();
  sipRound();
  return (v0l ^ v1l ^ v2l ^ v3l) >>> 0;
}
