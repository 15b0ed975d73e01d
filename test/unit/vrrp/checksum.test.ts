// RFC 1071 sums against the RFC's own example and captured keepalived adverts; the v3
// pseudo-headers (IPv4 and RFC 2460 IPv6) against checksums keepalived and the kernel wrote;
// RFC 1624 incremental updates against full recomputation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  foldChecksum,
  internetChecksum,
  onesSum,
  pseudoHeaderSum,
  updateChecksum,
} from '../../../src/vrrp/checksum.js';
import { fromHex, VECTORS } from '../../fixtures/vrrp/vectors.js';

test('RFC 1071 §3 example: words 0001 f203 f4f5 f6f7 sum to ddf2, checksum 220d', () => {
  const bytes = fromHex('0001 f203 f4f5 f6f7');
  assert.equal(foldChecksum(onesSum(bytes)), 0x220d);
  assert.equal(internetChecksum(bytes), 0x220d);
});

test('an odd trailing byte is padded on the right', () => {
  assert.equal(internetChecksum(fromHex('0102 03')), ~(0x0102 + 0x0300) & 0xffff);
  assert.equal(internetChecksum(fromHex('ff ff 03'), 2), ~0x0300 & 0xffff);
  assert.equal(internetChecksum(new Uint8Array(0)), 0xffff);
});

test('a captured v2 advert sums to zero over the message alone', () => {
  const v2 = fromHex(VECTORS[0]!.hex);
  assert.equal(internetChecksum(v2), 0);
});

test('captured v3 adverts sum to zero with their pseudo-header (IPv4 and IPv6)', () => {
  const addr = (text: string): Uint8Array =>
    text.includes(':')
      ? fromHex(
          text === 'fe80::1' ? 'fe80' + '0'.repeat(26) + '01' : 'ff02' + '0'.repeat(26) + '12',
        )
      : Uint8Array.from(text.split('.').map(Number));
  for (const v of VECTORS.filter((x) => x.value.version === 3)) {
    const bytes = fromHex(v.hex);
    const sum = onesSum(bytes) + pseudoHeaderSum(addr(v.ip.src), addr(v.ip.dst), bytes.length);
    assert.equal(foldChecksum(sum), 0, v.name);
  }
});

test('IPv6 pseudo-header carries a 32-bit length', () => {
  const z = new Uint8Array(16);
  assert.equal(pseudoHeaderSum(z, z, 0x10002), 1 + 2 + 112);
  const z4 = new Uint8Array(4);
  assert.equal(pseudoHeaderSum(z4, z4, 40), 40 + 112);
});

test('RFC 1624: patching the priority word equals recomputing (captured 255 → 0)', () => {
  // keepalived's priority-0 advert differs from the 255 one only in byte 2.
  const before = fromHex(VECTORS[0]!.hex);
  const after = fromHex(VECTORS[1]!.hex);
  const patched = updateChecksum(
    before.readUInt16BE(6),
    before.readUInt16BE(2),
    after.readUInt16BE(2),
  );
  assert.equal(patched, after.readUInt16BE(6));
});

test('RFC 1624: incremental update matches recomputation for random messages', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 8, maxLength: 64 }),
      fc.nat(),
      fc.nat(0xffff),
      (raw, at, word) => {
        const bytes = Buffer.from(raw.length % 2 === 0 ? raw : raw.subarray(1));
        bytes.writeUInt16BE(0, 6);
        const ck = internetChecksum(bytes);
        const i = (at % (bytes.length / 2)) * 2;
        if (i === 6) return;
        const old = bytes.readUInt16BE(i);
        bytes.writeUInt16BE(word, i);
        const full = internetChecksum(bytes);
        const inc = updateChecksum(ck, old, word);
        // 0x0000 and 0xffff are the two one's-complement zeros; either verifies.
        assert.equal(inc % 0xffff, full % 0xffff);
      },
    ),
    { numRuns: 1000 },
  );
});
