import fc from 'fast-check';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { foldAddress, hash32 } from '../../../../src/ipvs/schedulers/hash.js';
import { hsiphashU32, sipKey } from '../../../../src/ipvs/schedulers/siphash.js';

const M64 = (1n << 64n) - 1n;
const rotl = (x: bigint, b: bigint): bigint => ((x << b) | (x >> (64n - b))) & M64;

/** SipHash-c-d over bytes, straight from the paper, in BigInt: the independent reference. */
function sipRef(c: number, d: number, k0: bigint, k1: bigint, msg: Uint8Array): bigint {
  let v0 = 0x736f6d6570736575n ^ k0;
  let v1 = 0x646f72616e646f6dn ^ k1;
  let v2 = 0x6c7967656e657261n ^ k0;
  let v3 = 0x7465646279746573n ^ k1;
  const round = (): void => {
    v0 = (v0 + v1) & M64;
    v1 = rotl(v1, 13n) ^ v0;
    v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & M64;
    v3 = rotl(v3, 16n) ^ v2;
    v0 = (v0 + v3) & M64;
    v3 = rotl(v3, 21n) ^ v0;
    v2 = (v2 + v1) & M64;
    v1 = rotl(v1, 17n) ^ v2;
    v2 = rotl(v2, 32n);
  };
  const blocks = Math.floor(msg.length / 8);
  const word = (from: number, len: number): bigint => {
    let m = 0n;
    for (let i = len - 1; i >= 0; i--) m = (m << 8n) | BigInt(msg[from + i] ?? 0);
    return m;
  };
  for (let b = 0; b < blocks; b++) {
    const m = word(b * 8, 8);
    v3 ^= m;
    for (let i = 0; i < c; i++) round();
    v0 ^= m;
  }
  const last = (BigInt(msg.length & 255) << 56n) | word(blocks * 8, msg.length % 8);
  v3 ^= last;
  for (let i = 0; i < c; i++) round();
  v0 ^= last;
  v2 ^= 0xffn;
  for (let i = 0; i < d; i++) round();
  return v0 ^ v1 ^ v2 ^ v3;
}

describe('kernel hashes', () => {
  test('hash_32 is the golden-ratio multiply keeping the top bits', () => {
    assert.equal(hash32(1, 8), 0x61);
    assert.equal(hash32(0, 10), 0);
    assert.equal(hash32(0xffffffff, 32), (0x100000000 - 0x61c88647) >>> 0);
  });

  test('addresses fold as ntohl(addr) / XOR of the IPv6 words', () => {
    assert.equal(foldAddress('10.0.0.1'), 0x0a000001);
    assert.equal(foldAddress('255.255.255.255'), 0xffffffff);
    assert.equal(foldAddress('2001:db8::1'), (0x20010db8 ^ 1) >>> 0);
    assert.equal(foldAddress('::ffff:10.0.0.1'), (0xffff ^ 0x0a000001) >>> 0);
  });

  test('the BigInt reference reproduces the published SipHash-2-4 vectors', () => {
    const vectors = [
      0x726fdb47dd0e0e31n,
      0x74f839c593dc67fdn,
      0x0d6c8009d9a94f5an,
      0x85676696d7fb7e2dn,
      0xcf2794e0277187b7n,
      0x18765564cd99a68dn,
      0xcbc9466e58fee3cen,
      0xab0200f58b01d137n,
      0x93f5f5799a932462n,
      0x9e0082df0ba9e4b0n,
    ];
    vectors.forEach((expected, len) => {
      const msg = Uint8Array.from({ length: len }, (_, i) => i);
      assert.equal(sipRef(2, 4, 0x0706050403020100n, 0x0f0e0d0c0b0a0908n, msg), expected);
    });
  });

  test('hsiphashU32 equals SipHash-1-3 of the 4 little-endian bytes, truncated', () => {
    const keys = [
      [2654435761n, 2654435761n],
      [2654446892n, 2654446892n],
      [0x0706050403020100n, 0x0f0e0d0c0b0a0908n],
    ] as const;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.nat({ max: 2 }), (v, k) => {
        const [k0, k1] = keys[k] as readonly [bigint, bigint];
        const msg = Uint8Array.of(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24);
        const expected = Number(sipRef(1, 3, k0, k1, msg) & 0xffffffffn);
        assert.equal(hsiphashU32(v, sipKey(k0, k1)), expected);
      }),
      { numRuns: 2000 },
    );
  });
});
