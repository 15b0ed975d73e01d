// PROXY protocol codec (haproxy doc/proxy-protocol.txt). Expected bytes are written by hand
// from the spec, field by field, never taken from the encoder; the decoder gets one table of
// rejections per reason, every prefix of every valid header, and random bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  decodeProxyHeader,
  encodeProxyHeader,
  encodeProxyV1,
  encodeProxyV2,
  PP2_TYPE,
  type ProxyAddresses,
  type ProxyDecodeResult,
  type ProxyInvalidReason,
  type ProxyTlv,
} from '../../../src/dataplane/index.js';
import { AppError } from '../../../src/lib/errors.js';
import { formatIpv6, parseIp } from '../../../src/lib/inet.js';

/** Hex with `#` comments and any whitespace, one field per line. */
function hex(text: string): Buffer {
  return Buffer.from(text.replace(/#.*$/gm, '').replace(/\s+/g, ''), 'hex');
}
const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');
const SIG = '0d0a0d0a 000d0a51 5549540a'; // §2.2 signature: \r\n\r\n\0\r\nQUIT\n

function tcp(src: string, sport: number, dst: string, dport: number): ProxyAddresses {
  const family = src.includes(':') ? 'inet6' : 'inet';
  return {
    family,
    protocol: 'TCP',
    sourceAddress: src,
    sourcePort: sport,
    destinationAddress: dst,
    destinationPort: dport,
  };
}
const udp = (a: ProxyAddresses): ProxyAddresses => ({ ...a, protocol: 'UDP' });

function ok(r: ProxyDecodeResult): Extract<ProxyDecodeResult, { kind: 'ok' }> {
  assert.equal(r.kind, 'ok', JSON.stringify(r));
  return r;
}

// ------------------------------------------------------------------------ golden vectors

const SPEC_V4 = tcp('192.168.0.1', 56324, '192.168.0.11', 443); // the §2.1 example
const V6 = tcp('2001:db8::1', 1024, '2001:db8:0:1::80', 80);

interface Vector {
  readonly name: string;
  readonly encode: () => Buffer;
  readonly bytes: Buffer;
}

const VECTORS: readonly Vector[] = [
  {
    name: 'v1 TCP4, the §2.1 example line',
    encode: () => encodeProxyV1(SPEC_V4),
    bytes: ascii('PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n'),
  },
  {
    name: 'v1 TCP6, compressed lower-case text',
    encode: () => encodeProxyV1(tcp('2001:DB8:0:0:0:0:0:1', 1024, '2001:db8:0:1:0:0:0:80', 80)),
    bytes: ascii('PROXY TCP6 2001:db8::1 2001:db8:0:1::80 1024 80\r\n'),
  },
  {
    name: 'v1 IPv4-mapped IPv6 from a dual-stack socket goes out as TCP4',
    encode: () => encodeProxyV1(tcp('::ffff:192.168.0.1', 56324, '::ffff:192.168.0.11', 443)),
    bytes: ascii('PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n'),
  },
  {
    name: 'v1 IPv4 client of an IPv6 VIP: the IPv4 end is mapped into IPv6',
    encode: () => encodeProxyV1(tcp('10.0.0.1', 5, '2001:db8::80', 80)),
    bytes: ascii('PROXY TCP6 ::ffff:10.0.0.1 2001:db8::80 5 80\r\n'),
  },
  {
    name: 'v1 UDP is UNKNOWN (v1 names TCP only)',
    encode: () => encodeProxyV1(udp(SPEC_V4)),
    bytes: ascii('PROXY UNKNOWN\r\n'),
  },
  {
    name: 'v1 without addresses is UNKNOWN',
    encode: () => encodeProxyHeader('v1', undefined),
    bytes: ascii('PROXY UNKNOWN\r\n'),
  },
  {
    name: 'v2 TCP4',
    encode: () => encodeProxyV2(SPEC_V4),
    bytes: hex(`${SIG}
      21        # version 2, command PROXY
      11        # AF_INET, STREAM
      000c      # 12 address bytes
      c0a80001  # 192.168.0.1
      c0a8000b  # 192.168.0.11
      dc04      # 56324
      01bb      # 443`),
  },
  {
    name: 'v2 UDP4, mapped addresses folded to IPv4',
    encode: () => encodeProxyV2(udp(tcp('::ffff:10.1.2.3', 53, '::FFFF:10.0.0.1', 5353))),
    bytes: hex(`${SIG}
      21 12 000c        # PROXY; AF_INET, DGRAM; 12 bytes
      0a010203 0a000001 # 10.1.2.3, 10.0.0.1
      0035 14e9         # 53, 5353`),
  },
  {
    name: 'v2 TCP6',
    encode: () => encodeProxyHeader('v2', V6),
    bytes: hex(`${SIG}
      21 21 0024                           # PROXY; AF_INET6, STREAM; 36 bytes
      20010db8000000000000000000000001     # 2001:db8::1
      20010db8000000010000000000000080     # 2001:db8:0:1::80
      0400 0050                            # 1024, 80`),
  },
  {
    name: 'v2 UDP6 with an IPv4 end mapped',
    encode: () => encodeProxyV2(udp(tcp('10.0.0.1', 0, '2001:db8::80', 65535))),
    bytes: hex(`${SIG}
      21 22 0024                           # PROXY; AF_INET6, DGRAM; 36 bytes
      00000000000000000000ffff0a000001     # ::ffff:10.0.0.1
      20010db8000000000000000000000080     # 2001:db8::80
      0000 ffff                            # 0, 65535`),
  },
  {
    name: 'v2 LOCAL without addresses',
    encode: () => encodeProxyV2(undefined),
    bytes: hex(`${SIG} 20 00 0000  # LOCAL; AF_UNSPEC; no body`),
  },
  {
    name: 'v2 TLVs follow the addresses in order',
    encode: () =>
      encodeProxyV2(SPEC_V4, [
        { type: PP2_TYPE.AUTHORITY, value: ascii('example.com') },
        { type: PP2_TYPE.NOOP, value: new Uint8Array(0) },
      ]),
    bytes: hex(`${SIG}
      21 11 001d                  # PROXY; TCP4; 12 + (3 + 11) + (3 + 0) = 29 bytes
      c0a80001 c0a8000b dc04 01bb # addresses
      02 000b 6578616d706c652e636f6d # PP2_TYPE_AUTHORITY "example.com"
      04 0000                     # PP2_TYPE_NOOP, empty`),
  },
  {
    name: 'v2 LOCAL may carry TLVs too',
    encode: () => encodeProxyV2(undefined, [{ type: PP2_TYPE.UNIQUE_ID, value: hex('abcd') }]),
    bytes: hex(`${SIG} 20 00 0005  05 0002 abcd  # LOCAL; UNSPEC; PP2_TYPE_UNIQUE_ID`),
  },
];

for (const v of VECTORS) {
  test(`golden: ${v.name}`, () => {
    assert.equal(v.encode().toString('hex'), v.bytes.toString('hex'));
    const r = ok(decodeProxyHeader(v.bytes));
    assert.equal(r.headerLength, v.bytes.length);
  });
}

test('golden: v1 decodes the §2.1 example, stopping at the CRLF', () => {
  const wire = ascii('PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.1\r\n');
  assert.deepEqual(decodeProxyHeader(wire), {
    kind: 'ok',
    version: 'v1',
    command: 'proxy',
    addresses: SPEC_V4,
    tlvs: [],
    headerLength: 47,
  });
});

test('golden: the §2.1 worst-case 107-byte UNKNOWN line is accepted, 108 is too long', () => {
  const six = 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff';
  const line = `PROXY UNKNOWN ${six} ${six} 65535 65535\r\n`;
  assert.equal(line.length, 107);
  const r = ok(decodeProxyHeader(ascii(`${line}tail`)));
  assert.equal(r.headerLength, 107);
  assert.equal(r.addresses, undefined);
  assert.deepEqual(decodeProxyHeader(ascii(`PROXY UNKNOWN ${six} ${six} 65535 655355\r\n`)), {
    kind: 'invalid',
    reason: 'too-long',
  });
});

test('golden: a v2 header decodes addresses and TLVs, and leaves the payload alone', () => {
  const wire = hex(`${SIG} 21 21 0029
    20010db8000000000000000000000001 20010db8000000010000000000000080 0400 0050
    e0 0002 0102   # a custom TLV (§2.2.8)
    474554         # "GET", not part of the header`);
  const r = ok(decodeProxyHeader(wire));
  assert.equal(r.headerLength, 16 + 41);
  assert.deepEqual(r.addresses, V6);
  assert.equal(r.tlvs.length, 1);
  assert.equal(r.tlvs[0]?.type, PP2_TYPE.MIN_CUSTOM);
  assert.deepEqual([...(r.tlvs[0]?.value ?? [])], [1, 2]);
});

test('golden: v2 AF_UNIX and AF_UNSPEC under PROXY decode without addresses', () => {
  const unix = Buffer.concat([hex(`${SIG} 21 31 00d8`), Buffer.alloc(216)]);
  const r1 = ok(decodeProxyHeader(unix));
  assert.equal(r1.command, 'proxy');
  assert.equal(r1.addresses, undefined);
  assert.equal(r1.headerLength, 232);
  const r2 = ok(decodeProxyHeader(hex(`${SIG} 21 00 0000`)));
  assert.equal(r2.addresses, undefined);
});

test('golden: v2 LOCAL ignores an address block that its length does not cover', () => {
  const r = ok(decodeProxyHeader(hex(`${SIG} 20 11 0000`)));
  assert.equal(r.command, 'local');
  assert.equal(r.addresses, undefined);
  assert.equal(r.headerLength, 16);
  const r2 = ok(decodeProxyHeader(hex(`${SIG} 20 11 000c c0a80001 c0a8000b dc04 01bb`)));
  assert.equal(r2.addresses, undefined);
  assert.equal(r2.tlvs.length, 0);
});

test('decoding reads a Uint8Array view at a non-zero offset', () => {
  const big = new Uint8Array(200).fill(0x41);
  const line = ascii('PROXY TCP6 2001:db8::1 2001:db8:0:1::80 1024 80\r\n');
  big.set(line, 50);
  const r = ok(decodeProxyHeader(big.subarray(50)));
  assert.deepEqual(r.addresses, V6);
  const v2 = encodeProxyV2(V6);
  big.set(v2, 7);
  assert.deepEqual(ok(decodeProxyHeader(big.subarray(7))).addresses, V6);
});

// -------------------------------------------------------------------- encoder fallbacks

test('addresses that cannot be written fall back to UNKNOWN / LOCAL (§2.1, §2.2)', () => {
  const bad: ProxyAddresses[] = [
    tcp('not-an-ip', 1, '10.0.0.1', 80),
    tcp('10.0.0.1', 1, '10.0.0.256', 80),
    tcp('010.0.0.1', 1, '10.0.0.1', 80),
    tcp('10.0.0.1', 65536, '10.0.0.2', 80),
    tcp('10.0.0.1', -1, '10.0.0.2', 80),
    tcp('10.0.0.1', 1.5, '10.0.0.2', 80),
    tcp('10.0.0.1', Number.NaN, '10.0.0.2', 80),
    tcp('1::2::3', 1, '::1', 80),
    tcp('::ffff:01.2.3.4', 1, '::ffff:1.2.3.4', 80),
    tcp('::ffff:1.2.3', 1, '::ffff:1.2.3.4', 80),
  ];
  for (const a of bad) {
    assert.equal(encodeProxyV1(a).toString('latin1'), 'PROXY UNKNOWN\r\n', JSON.stringify(a));
    assert.equal(encodeProxyV2(a).toString('hex'), hex(`${SIG} 20 00 0000`).toString('hex'));
  }
});

test('bad TLVs are a programmer error: ERR_PROXY_BAD_TLV', () => {
  const cases: ProxyTlv[][] = [
    [{ type: 256, value: new Uint8Array(0) }],
    [{ type: -1, value: new Uint8Array(0) }],
    [{ type: 1.5, value: new Uint8Array(0) }],
    [{ type: 1, value: new Uint8Array(0xffff - 12 - 3 + 1) }],
  ];
  for (const tlvs of cases) {
    assert.throws(
      () => encodeProxyV2(SPEC_V4, tlvs),
      (e: unknown) => e instanceof AppError && e.code === 'ERR_PROXY_BAD_TLV',
    );
  }
  // The largest header that fits: 12 address bytes + one TLV filling the 16-bit length.
  const max = encodeProxyV2(SPEC_V4, [{ type: 1, value: new Uint8Array(0xffff - 12 - 3) }]);
  assert.equal(max.length, 16 + 0xffff);
  assert.equal(ok(decodeProxyHeader(max)).tlvs[0]?.value.length, 0xffff - 15);
});

// ------------------------------------------------------------------------- rejections

const REJECTIONS: readonly { reason: ProxyInvalidReason; wire: Buffer; why: string }[] = [
  { reason: 'bad-signature', why: 'HTTP', wire: ascii('GET / HTTP/1.1\r\n') },
  { reason: 'bad-signature', why: 'PROXZ', wire: ascii('PROXZ TCP4') },
  { reason: 'bad-signature', why: 'lower case', wire: ascii('proxy TCP4') },
  {
    reason: 'bad-signature',
    why: 'v2 signature, last byte',
    wire: hex('0d0a0d0a000d0a515549540b'),
  },
  { reason: 'bad-signature', why: 'v2 signature, NUL missing', wire: hex('0d0a0d0a0d') },
  { reason: 'bad-v1-syntax', why: 'no space after PROXY', wire: ascii('PROXYTCP4 ') },
  { reason: 'bad-v1-syntax', why: 'bare LF', wire: ascii('PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n') },
  { reason: 'bad-v1-syntax', why: 'bare CR', wire: ascii('PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX') },
  { reason: 'bad-v1-syntax', why: 'empty', wire: ascii('PROXY \r\n') },
  {
    reason: 'bad-v1-syntax',
    why: 'two spaces',
    wire: ascii('PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n'),
  },
  { reason: 'bad-v1-syntax', why: 'inner two', wire: ascii('PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n') },
  {
    reason: 'bad-v1-syntax',
    why: 'trailing space',
    wire: ascii('PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n'),
  },
  { reason: 'bad-v1-syntax', why: 'port missing', wire: ascii('PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n') },
  {
    reason: 'bad-v1-syntax',
    why: 'extra field',
    wire: ascii('PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n'),
  },
  {
    reason: 'bad-v1-syntax',
    why: 'empty last port',
    wire: ascii('PROXY TCP4 1.1.1.1 2.2.2.2 1 \r\n'),
  },
  { reason: 'too-long', why: '107 bytes without CRLF', wire: ascii(`PROXY ${'x'.repeat(101)}`) },
  { reason: 'too-long', why: 'CR as byte 107', wire: ascii(`PROXY ${'x'.repeat(100)}\r`) },
  { reason: 'bad-family', why: 'TCP5', wire: ascii('PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n') },
  { reason: 'bad-family', why: 'UDP4', wire: ascii('PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n') },
  { reason: 'bad-family', why: 'UNKNOWNX', wire: ascii('PROXY UNKNOWNX\r\n') },
  { reason: 'bad-family', why: 'lower tcp4', wire: ascii('PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n') },
  { reason: 'bad-family', why: 'v2 family 4', wire: hex(`${SIG} 21 41 0000`) },
  { reason: 'bad-family', why: 'v2 transport 3', wire: hex(`${SIG} 21 13 000c`) },
  { reason: 'bad-family', why: 'v2 LOCAL family f', wire: hex(`${SIG} 20 f0 0000`) },
  { reason: 'bad-address', why: 'leading 0', wire: ascii('PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n') },
  { reason: 'bad-address', why: 'octet 256', wire: ascii('PROXY TCP4 1.2.3.4 5.6.7.256 1 2\r\n') },
  { reason: 'bad-address', why: 'three octets', wire: ascii('PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n') },
  { reason: 'bad-address', why: 'empty octet', wire: ascii('PROXY TCP4 1..3.4 5.6.7.8 1 2\r\n') },
  { reason: 'bad-address', why: 'v6 in TCP4', wire: ascii('PROXY TCP4 ::1 ::2 1 2\r\n') },
  { reason: 'bad-address', why: 'v4 in TCP6', wire: ascii('PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n') },
  { reason: 'bad-address', why: 'v6 zone', wire: ascii('PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n') },
  { reason: 'bad-address', why: 'two ::', wire: ascii('PROXY TCP6 1::2::3 ::1 1 2\r\n') },
  {
    reason: 'bad-address',
    why: 'non-ASCII',
    wire: ascii('PROXY TCP4 1.2.3.\u00b9 5.6.7.8 1 2\r\n'),
  },
  { reason: 'bad-port', why: '65536', wire: ascii('PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n') },
  { reason: 'bad-port', why: 'leading 0', wire: ascii('PROXY TCP4 1.2.3.4 5.6.7.8 1 080\r\n') },
  { reason: 'bad-port', why: '00', wire: ascii('PROXY TCP4 1.2.3.4 5.6.7.8 00 80\r\n') },
  { reason: 'bad-port', why: 'sign', wire: ascii('PROXY TCP4 1.2.3.4 5.6.7.8 -1 80\r\n') },
  {
    reason: 'bad-port',
    why: 'six digits',
    wire: ascii('PROXY TCP4 1.2.3.4 5.6.7.8 100000 80\r\n'),
  },
  { reason: 'bad-port', why: 'hex', wire: ascii('PROXY TCP4 1.2.3.4 5.6.7.8 0x50 80\r\n') },
  { reason: 'bad-version', why: 'version 1', wire: hex(`${SIG} 11`) },
  { reason: 'bad-version', why: 'version 3', wire: hex(`${SIG} 31 11 000c`) },
  { reason: 'bad-command', why: 'command 2', wire: hex(`${SIG} 22`) },
  { reason: 'bad-command', why: 'command f', wire: hex(`${SIG} 2f 11 000c`) },
  {
    reason: 'bad-length',
    why: 'TCP4 in 11',
    wire: hex(`${SIG} 21 11 000b 0102030405060708090a0b`),
  },
  {
    reason: 'bad-length',
    why: 'TCP6 in 12',
    wire: hex(`${SIG} 21 21 000c c0a80001c0a8000bdc0401bb`),
  },
  { reason: 'bad-length', why: 'UNIX in 0', wire: hex(`${SIG} 21 31 0000`) },
  { reason: 'bad-tlv', why: 'two stray bytes', wire: hex(`${SIG} 20 00 0002 0102`) },
  {
    reason: 'bad-tlv',
    why: 'value overrun',
    wire: hex(`${SIG} 21 11 0010 c0a80001c0a8000bdc0401bb 01 0002 ff ff`),
  },
];

for (const r of REJECTIONS) {
  test(`invalid ${r.reason}: ${r.why}`, () => {
    assert.deepEqual(decodeProxyHeader(r.wire), { kind: 'invalid', reason: r.reason });
  });
}

test('every reason has a rejection case', () => {
  const all: Record<ProxyInvalidReason, true> = {
    'bad-signature': true,
    'bad-v1-syntax': true,
    'too-long': true,
    'bad-family': true,
    'bad-address': true,
    'bad-port': true,
    'bad-version': true,
    'bad-command': true,
    'bad-length': true,
    'bad-tlv': true,
  };
  assert.deepEqual(new Set(REJECTIONS.map((r) => r.reason)), new Set(Object.keys(all)));
});

// --------------------------------------------------------------------------- prefixes

test('every proper prefix of a valid header is incomplete, never invalid', () => {
  const longest = ascii(`PROXY UNKNOWN ${'f'.repeat(91)}\r\n`);
  assert.equal(longest.length, 107);
  const headers = [
    ...VECTORS.map((v) => v.bytes),
    longest,
    encodeProxyV2(V6, [{ type: PP2_TYPE.SSL, value: new Uint8Array(40) }]),
  ];
  for (const h of headers) {
    for (let n = 0; n < h.length; n++) {
      assert.deepEqual(
        decodeProxyHeader(h.subarray(0, n)),
        { kind: 'incomplete' },
        `${h.toString('hex')} @${n}`,
      );
    }
    assert.equal(ok(decodeProxyHeader(h)).headerLength, h.length);
  }
});

// -------------------------------------------------------------------------- properties

/** What a header must carry for `a`: IPv4 when both ends are (mapped) IPv4, else IPv6. */
function expected(a: ProxyAddresses): ProxyAddresses {
  const norm = (t: string): { v4: boolean; text: string } => {
    const ip = parseIp(t);
    assert.ok(ip !== undefined, t);
    const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip.text);
    if (m?.[1] !== undefined) return { v4: true, text: m[1] };
    return { v4: ip.family === 'inet', text: ip.text };
  };
  const s = norm(a.sourceAddress);
  const d = norm(a.destinationAddress);
  const v4 = s.v4 && d.v4;
  const as6 = (x: { v4: boolean; text: string }): string => (x.v4 ? `::ffff:${x.text}` : x.text);
  return {
    family: v4 ? 'inet' : 'inet6',
    protocol: a.protocol,
    sourceAddress: v4 ? s.text : as6(s),
    sourcePort: a.sourcePort,
    destinationAddress: v4 ? d.text : as6(d),
    destinationPort: a.destinationPort,
  };
}

const arbIp = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.ipV4().map((v4) => `::ffff:${v4}`),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => formatIpv6(b)),
);
const arbPort = fc.integer({ min: 0, max: 65535 });
const arbAddresses = fc.record({
  protocol: fc.constantFrom('TCP' as const, 'UDP' as const),
  sourceAddress: arbIp,
  sourcePort: arbPort,
  destinationAddress: arbIp,
  destinationPort: arbPort,
});
const arbTlvs = fc.array(
  fc.record({ type: fc.integer({ min: 0, max: 255 }), value: fc.uint8Array({ maxLength: 40 }) }),
  { maxLength: 4 },
);

// fc.assert's failure message carries the seed and shrink path to replay it with.
test('property: random valid addresses round-trip through v1 and v2', () => {
  fc.assert(
    fc.property(arbAddresses, arbTlvs, (r, tlvs) => {
      const a: ProxyAddresses = { ...r, family: r.sourceAddress.includes(':') ? 'inet6' : 'inet' };
      const want = expected(a);
      const v2 = ok(decodeProxyHeader(encodeProxyV2(a, tlvs)));
      assert.equal(v2.command, 'proxy');
      assert.deepEqual(v2.addresses, want);
      assert.deepEqual(
        v2.tlvs.map((t) => ({ type: t.type, value: [...t.value] })),
        tlvs.map((t) => ({ type: t.type, value: [...t.value] })),
      );
      const v1 = ok(decodeProxyHeader(encodeProxyV1(a)));
      if (a.protocol === 'TCP') assert.deepEqual(v1.addresses, want);
      else assert.equal(v1.addresses, undefined);
    }),
    { numRuns: 500 },
  );
});

test('property: random bytes never throw, and get a verdict', () => {
  const kinds = new Set(['ok', 'invalid', 'incomplete']);
  const prefixed = fc
    .tuple(
      fc.constantFrom(ascii('PROXY '), ascii('PROXY TCP4 '), ascii('PROXY TCP6 '), hex(SIG)),
      fc.uint8Array({ maxLength: 300 }),
    )
    .map(([p, rest]) => Buffer.concat([p, rest]));
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), prefixed), (bytes) => {
      assert.ok(kinds.has(decodeProxyHeader(bytes).kind));
    }),
    { numRuns: 3000 },
  );
});

test('property: mutated valid headers never throw, and ok means headerLength fits', () => {
  fc.assert(
    fc.property(
      arbAddresses,
      fc.boolean(),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 4,
      }),
      fc.nat(),
      (r, v1, edits, cut) => {
        const a: ProxyAddresses = { ...r, family: 'inet' };
        const wire = Buffer.from(v1 ? encodeProxyV1(a) : encodeProxyV2(a));
        for (const [at, byte] of edits) wire[at % wire.length] = byte;
        const bytes = wire.subarray(0, wire.length - (cut % 4));
        const d = decodeProxyHeader(bytes);
        if (d.kind === 'ok') assert.ok(d.headerLength <= bytes.length);
      },
    ),
    { numRuns: 3000 },
  );
});
