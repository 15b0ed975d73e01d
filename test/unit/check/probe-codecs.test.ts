// Pure parts of the SMTP, DNS, UDP, PING and FILE probes: the DNS query/reply codec (with a
// seeded random-bytes fuzz: the decoder returns a result and never throws), SMTP reply framing,
// UDP reply patterns, ICMP echo classification and the track_file value mapping. Expected bytes
// are hex literals (RFC 1035 §4.1 layout), not produced by the encoder under test.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  decodeDnsReply,
  encodeDnsQuery,
  fileVerdict,
  parseReplyPattern,
  parseTrackValue,
  replyMatches,
  takeSmtpReply,
} from '../../../src/check/index.js';
import {
  classifyEcho,
  encodeEchoRequest,
  internetChecksum,
} from '../../../src/check/icmp-packet.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('DNS query: header, QNAME labels, type, class IN', () => {
  assert.deepEqual(
    encodeDnsQuery(0x1234, 'www.tandem.test', 'A'),
    hex(`1234 0100 0001 0000 0000 0000
         03 777777 06 74616e64656d 04 74657374 00
         0001 0001`),
  );
  // keepalived's defaults: SOA of the root, a single zero-length label.
  assert.deepEqual(
    encodeDnsQuery(1, '.', 'SOA'),
    hex('0001 0100 0001 0000 0000 0000 00 0006 0001'),
  );
  assert.equal(encodeDnsQuery(1, 'a..b', 'A'), undefined);
  assert.equal(encodeDnsQuery(1, `${'x'.repeat(64)}.test`, 'A'), undefined);
});

test('DNS reply: header fields and a compressed question name', () => {
  const reply = hex(`beef 8583 0001 0000 0001 0000
                     04 6e6f7065 c0 17
                     0001 0001
                     06 74616e64656d 04 74657374 00`);
  const r = decodeDnsReply(reply);
  assert.ok(r.ok);
  assert.deepEqual(r.value, {
    id: 0xbeef,
    qr: true,
    opcode: 0,
    rcode: 3,
    qdcount: 1,
    ancount: 0,
    nscount: 1,
    arcount: 0,
    question: { name: 'nope.tandem.test', type: 1, class: 1 },
  });
  assert.deepEqual(decodeDnsReply(hex('beef 8180 0000')), { ok: false, reason: 'too-short' });
  // A pointer loop leaves the header readable and drops the question.
  const loop = decodeDnsReply(hex('0001 8180 0001 0000 0000 0000 c00c 0001 0001'));
  assert.ok(loop.ok && loop.value.question === undefined);
});

test('DNS decoder never throws on random or mutated datagrams (seeded)', () => {
  const base = encodeDnsQuery(7, 'a.b.example', 'AAAA') ?? Buffer.alloc(0);
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 600 }),
        fc
          .array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), {
            maxLength: 8,
          })
          .map((edits) => {
            const b = Uint8Array.from(base);
            for (const [i, v] of edits) b[i] = v;
            return b;
          }),
      ),
      fc.nat(20),
      (bytes, offset) => {
        const r = decodeDnsReply(bytes, offset);
        if (r.ok) assert.ok(r.bytesRead >= 12 && r.bytesRead <= bytes.length - offset);
      },
    ),
    { seed: 61, numRuns: 3000 },
  );
});

test('SMTP replies: single line, multi-line, partial, non-numeric', () => {
  assert.deepEqual(takeSmtpReply('220 hi\r\n250 x'), { code: 220, rest: '250 x' });
  assert.deepEqual(takeSmtpReply('250-a\r\n250-b\r\n250 c\r\n'), { code: 250, rest: '' });
  assert.equal(takeSmtpReply('250-a\r\n250 c'), undefined);
  assert.deepEqual(takeSmtpReply('hello\n'), { code: -1, rest: '' });
});

test('UDP reply patterns: x nibbles, prefix comparison, length bounds', () => {
  const p = parseReplyPattern('dexxb0x1');
  assert.deepEqual([...p.data], [0xde, 0x00, 0xb0, 0x01]);
  assert.deepEqual([...p.mask], [0x00, 0xff, 0x00, 0xf0]);
  assert.ok(replyMatches(hex('de77b091'), p, 0, 255));
  assert.ok(!replyMatches(hex('de77b191'), p, 0, 255));
  assert.ok(replyMatches(hex('de'), p, 0, 255), 'only min(len, pattern) bytes compared');
  assert.ok(!replyMatches(hex('de'), p, 2, 255));
  assert.ok(!replyMatches(hex('de77b09100'), p, 0, 4));
});

test('ICMP echo: checksum, our reply, our looped request, a quoted unreachable', () => {
  const req = encodeEchoRequest('inet', 0x1234, 7);
  assert.equal(internetChecksum(req), 0, 'a correct checksum sums to zero');
  const ipHeader = hex('4500 0094 0000 4000 4001 0000 7f000001 7f000001');
  const reply = Uint8Array.from(req);
  reply[0] = 0;
  const m = { family: 'inet', withIpHeader: true, id: 0x1234, seq: 7, checkId: true } as const;
  assert.equal(classifyEcho(Buffer.concat([ipHeader, reply]), m), 'reply');
  assert.equal(classifyEcho(Buffer.concat([ipHeader, req]), m), 'other');
  assert.equal(classifyEcho(Buffer.concat([ipHeader, reply]), { ...m, id: 9 }), 'other');
  const unreach = Buffer.concat([
    ipHeader,
    hex('0301 0000 00000000'),
    ipHeader,
    req.subarray(0, 8),
  ]);
  assert.equal(classifyEcho(unreach, m), 'unreachable');
  assert.equal(classifyEcho(hex('45'), m), 'other');
  const v6reply = encodeEchoRequest('inet6', 1, 7);
  v6reply[0] = 129;
  assert.equal(
    classifyEcho(v6reply, { ...m, family: 'inet6', withIpHeader: false, checkId: false }),
    'reply',
  );
});

test('track_file values read like strtol(…, 0) and map as keepalived does', () => {
  assert.equal(parseTrackValue(' \n-12abc'), -12);
  assert.equal(parseTrackValue('0x1F'), 31);
  assert.equal(parseTrackValue('017'), 15);
  assert.equal(parseTrackValue('0x'), 0);
  assert.equal(parseTrackValue('junk'), 0);
  assert.equal(parseTrackValue('2147483648'), 2147483648);
  assert.equal(parseTrackValue('2147483649'), undefined);
  assert.deepEqual(fileVerdict(0, 0, false), { up: true, offset: 0 });
  assert.deepEqual(fileVerdict(2, 0, false), { up: false });
  assert.deepEqual(fileVerdict(0, 0, true), { up: false });
  assert.deepEqual(fileVerdict(-3, 5, false), { up: true, offset: -15 });
  assert.deepEqual(fileVerdict(3, 5, true), { up: true, offset: -15 });
  assert.deepEqual(fileVerdict(-2147483648, 1, false), { up: false });
  assert.deepEqual(fileVerdict(2147483647, 254, true), { up: false }, 'clamped to the fault value');
});
