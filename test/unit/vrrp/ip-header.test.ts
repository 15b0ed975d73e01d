// The IPv4 header raw sockets deliver, from a captured keepalived advert, and the verdicts for
// headers that cannot be one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeIpv4Header, IPV4_DECODE_REASONS } from '../../../src/vrrp/ip-header.js';
import { CAPTURED_IPV4_HEADER, fromHex, VECTORS } from '../../fixtures/vrrp/vectors.js';

test('captured keepalived header decodes field by field', () => {
  const datagram = Buffer.concat([fromHex(CAPTURED_IPV4_HEADER), fromHex(VECTORS[0]!.hex)]);
  assert.deepEqual(decodeIpv4Header(datagram), {
    ok: true,
    bytesRead: 20,
    value: {
      headerLength: 20,
      totalLength: 40,
      tos: 0xc0,
      id: 1,
      ttl: 255,
      protocol: 112,
      src: '10.0.0.1',
      dst: '224.0.0.18',
    },
  });
  assert.equal(datagram.length, 40);
});

test('options lengthen the header', () => {
  const h = fromHex(CAPTURED_IPV4_HEADER);
  h[0] = 0x46;
  const withOption = Buffer.concat([h, fromHex('94040000'), fromHex(VECTORS[0]!.hex)]);
  const r = decodeIpv4Header(withOption);
  assert.ok(r.ok);
  assert.equal(r.value.headerLength, 24);
  assert.equal(r.bytesRead, 24);
});

test('verdicts', () => {
  const h = fromHex(CAPTURED_IPV4_HEADER);
  const with0 = (i: number, v: number): Buffer => {
    const c = Buffer.from(h);
    c[i] = v;
    return c;
  };
  assert.deepEqual(decodeIpv4Header(h.subarray(0, 19)), { ok: false, reason: 'too-short' });
  assert.deepEqual(decodeIpv4Header(with0(0, 0x65)), { ok: false, reason: 'bad-version' });
  assert.deepEqual(decodeIpv4Header(with0(0, 0x44)), { ok: false, reason: 'bad-header-length' });
  assert.deepEqual(decodeIpv4Header(with0(0, 0x4f)), { ok: false, reason: 'too-short' });
  const short = with0(2, 0);
  short[3] = 19;
  assert.deepEqual(decodeIpv4Header(short), { ok: false, reason: 'bad-total-length' });
  assert.deepEqual(decodeIpv4Header(h, -1), { ok: false, reason: 'too-short' });
});

test('fuzz: never throws', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
      const r = decodeIpv4Header(bytes);
      if (r.ok) assert.ok(r.bytesRead <= bytes.length);
      else assert.ok(IPV4_DECODE_REASONS.includes(r.reason));
    }),
    { numRuns: 2000 },
  );
});
