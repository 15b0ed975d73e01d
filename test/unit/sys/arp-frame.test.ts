// The ARP frame codec against hand-written frames (RFC 826 field order), rejections, and a
// seeded fuzz run: decoding arbitrary bytes returns a verdict and never throws.
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  arpRequest,
  claimsAddress,
  decodeArpFrame,
  encodeArpFrame,
  formatMac,
  macBytes,
  type ArpFrame,
} from '../../../src/sys/arp-frame.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/#.*$/gm, '').replace(/\s+/g, ''), 'hex');

// who-has 10.0.0.100 tell 10.0.0.1, from 02:00:00:00:00:01
const REQUEST = hex(`
  ffffffffffff   # Ethernet destination: broadcast
  020000000001   # Ethernet source
  0806           # type ARP
  0001           # ar_hrd Ethernet
  0800           # ar_pro IPv4
  06 04          # ar_hln, ar_pln
  0001           # ar_op request
  020000000001   # sender MAC
  0a000001       # sender IP 10.0.0.1
  000000000000   # target MAC unknown
  0a000064       # target IP 10.0.0.100
`);
const REQUEST_VALUE: ArpFrame = {
  ethDst: 'ff:ff:ff:ff:ff:ff',
  ethSrc: '02:00:00:00:00:01',
  op: 'request',
  senderMac: '02:00:00:00:00:01',
  senderIp: '10.0.0.1',
  targetMac: '00:00:00:00:00:00',
  targetIp: '10.0.0.100',
};

// 10.0.0.100 is-at 0a:bc:de:f0:12:34, to 10.0.0.1, padded to Ethernet's 60-byte minimum
const REPLY = hex(`
  020000000001 0abcdef01234 0806
  0001 0800 06 04
  0002           # ar_op reply
  0abcdef01234 0a000064
  020000000001 0a000001
  000000000000000000000000000000000000   # 18 bytes of padding
`);
const REPLY_VALUE: ArpFrame = {
  ethDst: '02:00:00:00:00:01',
  ethSrc: '0a:bc:de:f0:12:34',
  op: 'reply',
  senderMac: '0a:bc:de:f0:12:34',
  senderIp: '10.0.0.100',
  targetMac: '02:00:00:00:00:01',
  targetIp: '10.0.0.1',
};

describe('ARP frames', () => {
  test('a request decodes, encodes to the same bytes, and arpRequest builds it', () => {
    assert.deepEqual(decodeArpFrame(REQUEST), { ok: true, value: REQUEST_VALUE, bytesRead: 42 });
    assert.equal(encodeArpFrame(REQUEST_VALUE)?.toString('hex'), REQUEST.toString('hex'));
    assert.equal(
      arpRequest('02:00:00:00:00:01', '10.0.0.1', '10.0.0.100')?.toString('hex'),
      REQUEST.toString('hex'),
    );
  });

  test('a padded reply decodes; the encoder writes the unpadded 42 bytes', () => {
    assert.equal(REPLY.length, 60);
    assert.deepEqual(decodeArpFrame(REPLY), { ok: true, value: REPLY_VALUE, bytesRead: 42 });
    assert.equal(
      encodeArpFrame(REPLY_VALUE)?.toString('hex'),
      REPLY.subarray(0, 42).toString('hex'),
    );
  });

  test('decoding at an offset', () => {
    const d = decodeArpFrame(Buffer.concat([Buffer.from([1, 2, 3]), REQUEST]), 3);
    assert.deepEqual(d, { ok: true, value: REQUEST_VALUE, bytesRead: 42 });
  });

  test('rejections carry a reason', () => {
    const patch = (at: number, bytes: number[]): Buffer => {
      const b = Buffer.from(REQUEST);
      b.set(bytes, at);
      return b;
    };
    const cases: [string, Uint8Array, string][] = [
      ['empty', new Uint8Array(0), 'too-short'],
      ['41 bytes', REQUEST.subarray(0, 41), 'too-short'],
      ['IPv4 ethertype', patch(12, [0x08, 0x00]), 'not-arp'],
      ['802.1Q tag', patch(12, [0x81, 0x00]), 'not-arp'],
      ['hardware type IEEE 802', patch(14, [0x00, 0x06]), 'not-ethernet'],
      ['hardware length 8', patch(18, [8]), 'not-ethernet'],
      ['protocol IPv6', patch(16, [0x86, 0xdd]), 'not-ipv4'],
      ['protocol length 16', patch(19, [16]), 'not-ipv4'],
      ['RARP request (op 3)', patch(20, [0, 3]), 'bad-op'],
      ['InARP reply (op 9)', patch(20, [0, 9]), 'bad-op'],
    ];
    for (const [name, bytes, reason] of cases)
      assert.deepEqual(decodeArpFrame(bytes), { ok: false, reason }, name);
    assert.deepEqual(decodeArpFrame(REQUEST, 1), { ok: false, reason: 'too-short' });
    assert.deepEqual(decodeArpFrame(REQUEST, -1), { ok: false, reason: 'too-short' });
  });

  test('the builder refuses malformed text', () => {
    assert.equal(arpRequest('02:00:00:00:00', '10.0.0.1', '10.0.0.2'), undefined);
    assert.equal(arpRequest('02:00:00:00:00:zz', '10.0.0.1', '10.0.0.2'), undefined);
    assert.equal(arpRequest('02:00:00:00:00:01', '10.0.0.256', '10.0.0.2'), undefined);
    assert.equal(arpRequest('02:00:00:00:00:01', '10.0.0.1', 'fe80::1'), undefined);
  });

  test('MAC text', () => {
    assert.deepEqual(
      macBytes('0A-bc-DE-f0-12-34'),
      Uint8Array.of(10, 0xbc, 0xde, 0xf0, 0x12, 0x34),
    );
    assert.equal(formatMac(Uint8Array.of(0, 1, 0xa, 0xff, 0x10, 0xee)), '00:01:0a:ff:10:ee');
    assert.equal(macBytes('0:1:2:3:4:5'), undefined);
  });

  test('which frames claim an address', () => {
    assert.equal(claimsAddress(REPLY_VALUE, '10.0.0.100'), true);
    assert.equal(claimsAddress(REPLY_VALUE, '10.0.0.1'), false);
    // A request *for* the address claims nothing; its sender claims its own address only
    // through a reply or a gratuitous announcement.
    assert.equal(claimsAddress(REQUEST_VALUE, '10.0.0.100'), false);
    assert.equal(claimsAddress(REQUEST_VALUE, '10.0.0.1'), false);
    const garp = { ...REQUEST_VALUE, senderIp: '10.0.0.100' };
    assert.equal(claimsAddress(garp, '10.0.0.100'), true);
    // RFC 5227 probe: sender 0.0.0.0
    assert.equal(claimsAddress({ ...REQUEST_VALUE, senderIp: '0.0.0.0' }, '10.0.0.100'), false);
  });

  test('fuzz: decoding arbitrary bytes never throws, and what decodes re-encodes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(4), (bytes, offset) => {
        const d = decodeArpFrame(bytes, offset);
        if (!d.ok) return;
        const again = encodeArpFrame(d.value);
        assert.ok(again);
        assert.deepEqual(again, Buffer.from(bytes.subarray(offset, offset + 42)));
      }),
      { seed: 0x0806, numRuns: 5000 },
    );
    // Frames that pass the header checks, with random addresses, round-trip too.
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 28, maxLength: 28 }), fc.boolean(), (body, reply) => {
        const b = Buffer.from(REQUEST);
        b.set(body.subarray(0, 20), 22);
        b[21] = reply ? 2 : 1;
        const d = decodeArpFrame(b);
        assert.equal(d.ok, true);
        if (d.ok) assert.deepEqual(encodeArpFrame(d.value), b);
      }),
      { seed: 826, numRuns: 2000 },
    );
  });
});
