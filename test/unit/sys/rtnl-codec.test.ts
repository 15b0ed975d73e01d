// rtnetlink codec against byte vectors written out by hand from the uapi layouts (nlmsghdr,
// ifaddrmsg, ifinfomsg, rtmsg, rtattr), plus properties: decoders never throw on any input.
// Netlink is host-endian; the vectors are little-endian, so they are skipped on big-endian hosts.
import assert from 'node:assert/strict';
import { endianness } from 'node:os';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { addressFromPayload } from '../../../src/sys/rtnl-addr.js';
import {
  decodeAttrs,
  decodeIfAddrMsg,
  decodeIfInfoMsg,
  decodeNlError,
  decodeNlMessages,
  decodeRtMsg,
  encodeAttrs,
  encodeIfAddrMsg,
  encodeIfInfoMsg,
  encodeNlMessage,
  encodeRtMsg,
} from '../../../src/sys/rtnl-codec.js';
import { attrString, attrU32 } from '../../../src/sys/rtnl-attrs.js';
import { linkFromMessage } from '../../../src/sys/rtnl-link.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const LE = { skip: endianness() !== 'LE' ? 'vectors are little-endian' : false };

describe('encode', LE, () => {
  test('RTM_NEWADDR 10.9.0.1/24 dev ifindex 3 label d0:1, REQUEST|ACK|CREATE|EXCL', () => {
    const body = encodeIfAddrMsg({ family: 2, prefixLength: 24, flags: 0, scope: 0, ifindex: 3 });
    const msg = encodeNlMessage({ type: 20, flags: 0x605, seq: 1 }, body, [
      { type: 2, value: Uint8Array.of(10, 9, 0, 1) },
      { type: 1, value: Uint8Array.of(10, 9, 0, 1) },
      attrString(3, 'd0:1'),
    ]);
    const expected = hex(`
      34000000 1400 0506 01000000 00000000
      02 18 00 00 03000000
      0800 0200 0a090001
      0800 0100 0a090001
      0900 0300 64303a31 00 000000`);
    assert.deepEqual(msg, expected);
  });

  test('RTM_NEWROUTE rtmsg: 10.20.0.0/16 table 100 proto boot scope universe unicast', () => {
    const rt = encodeRtMsg({
      family: 2,
      dstLen: 16,
      srcLen: 0,
      tos: 0,
      table: 100,
      protocol: 3,
      scope: 0,
      type: 1,
      flags: 0,
    });
    assert.deepEqual(rt, hex('02 10 00 00 64 03 00 01 00000000'));
  });

  test('ifinfomsg for RTM_GETLINK by index, and a u32 attribute', () => {
    const m = encodeIfInfoMsg({ family: 0, type: 0, ifindex: 7, flags: 0, change: 0 });
    assert.deepEqual(m, hex('00 00 0000 07000000 00000000 00000000'));
    assert.deepEqual(encodeAttrs([attrU32(4, 1500)]), hex('0800 0400 dc050000'));
  });
});

describe('decode', LE, () => {
  test('extended ACK error: EEXIST with the kernel text, capped echo', () => {
    const buf = hex(`
      30000000 0200 0003 01000000 00000000
      efffffff
      34000000 1400 0506 01000000 00000000
      0b00 0100 657869737473 00 00`);
    const msgs = decodeNlMessages(buf);
    assert.ok(msgs.ok);
    const [m] = msgs.value;
    assert.ok(m !== undefined);
    assert.deepEqual([m.type, m.flags, m.seq, m.pid], [2, 0x300, 1, 0]);
    assert.deepEqual(decodeNlError(m.payload, m.flags), {
      ok: true,
      value: { errno: 17, message: 'exists' },
      bytesRead: 32,
    });
  });

  test('plain ACK (error 0) without TLVs', () => {
    const buf = hex(
      '24000000 0200 0001 05000000 00000000 00000000 20000000 1400 0506 05000000 00000000',
    );
    const msgs = decodeNlMessages(buf);
    assert.ok(msgs.ok && msgs.value[0] !== undefined);
    const e = decodeNlError(msgs.value[0].payload, msgs.value[0].flags);
    assert.deepEqual(e, { ok: true, value: { errno: 0 }, bytesRead: 4 });
  });

  test('two messages in one datagram, the first one unaligned (len 21)', () => {
    const buf = hex(`
      15000000 0300 0200 09000000 00000000 aa00000000 000000
      14000000 0300 0200 0a000000 00000000 00000000`);
    const msgs = decodeNlMessages(buf);
    assert.ok(msgs.ok);
    assert.deepEqual(
      msgs.value.map((m) => [m.type, m.seq, m.payload.length]),
      [
        [3, 9, 5],
        [3, 10, 4],
      ],
    );
  });

  test('RTM_NEWLINK: veth d0 up, running, mtu 1500, operstate up', () => {
    const payload = hex(`
      00 00 0100 03000000 43100100 00000000
      0700 0300 643000 00
      0800 0400 dc050000
      0a00 0100 020000000001 0000
      0500 1000 06 000000`);
    const p = decodeIfInfoMsg(payload);
    assert.ok(p.ok);
    assert.deepEqual(p.value.header, { family: 0, type: 1, ifindex: 3, flags: 0x11043, change: 0 });
    const link = linkFromMessage({ type: 16, flags: 0, seq: 0, pid: 0, payload });
    assert.deepEqual(link, {
      ifindex: 3,
      ifname: 'd0',
      up: true,
      adminUp: true,
      operstate: 'up',
      mac: '02:00:00:00:00:01',
      mtu: 1500,
    });
  });

  test('RTM_NEWLINK with IFF_UP but not IFF_RUNNING is not up', () => {
    const payload = hex('00 00 0100 04000000 03100000 00000000 0700 0300 643100 00');
    const link = linkFromMessage({ type: 16, flags: 0, seq: 0, pid: 0, payload });
    assert.equal(link?.up, false);
    assert.equal(link?.adminUp, true);
  });

  test('RTM_NEWADDR IPv6 /128 nodad deprecated with cacheinfo', () => {
    const payload = hex(`
      0a 80 02 00 03000000
      1400 0100 fd000000000000000000000000000005
      1400 0600 00000000 ffffffff 10000000 20000000
      0800 0800 a2000000`);
    const a = addressFromPayload(payload, new Map([[3, 'eth1']]));
    assert.deepEqual(a, {
      ifindex: 3,
      ifname: 'eth1',
      family: 'inet6',
      address: 'fd00::5',
      prefixLength: 128,
      scope: 'global',
      flags: ['nodad', 'deprecated', 'permanent'],
      preferredLft: 0,
      validLft: 'forever',
    });
  });

  test('RTM_NEWADDR IPv4 with a peer, broadcast and label; name from the label', () => {
    const payload = hex(`
      02 20 80 fd 05000000
      0800 0200 c0a80001
      0800 0100 c0a80002
      0800 0400 c0a800ff
      0a00 0300 657468303a3100 00`);
    const a = addressFromPayload(payload, new Map());
    assert.deepEqual(a, {
      ifindex: 5,
      ifname: 'eth0',
      family: 'inet',
      address: '192.168.0.1',
      prefixLength: 32,
      peer: '192.168.0.2',
      broadcast: '192.168.0.255',
      label: 'eth0:1',
      scope: 'link',
      flags: ['permanent'],
      preferredLft: 'forever',
      validLft: 'forever',
    });
  });

  test('rtmsg and attribute type flags (NLA_F_NESTED) are masked off', () => {
    const p = decodeRtMsg(hex('0a 40 00 00 fe 04 00 01 00000000 0800 0f80 fe000000'));
    assert.ok(p.ok);
    assert.equal(p.value.header.dstLen, 64);
    assert.equal(p.value.header.table, 254);
    assert.deepEqual(p.value.attrs, [{ type: 15, value: hex('fe000000') }]);
  });

  test('malformed input gives verdicts', () => {
    assert.deepEqual(decodeNlMessages(hex('10000000 0300')), { ok: false, reason: 'too-short' });
    assert.deepEqual(decodeNlMessages(hex('0f000000 0300 0000 00000000 00000000')), {
      ok: false,
      reason: 'bad-length',
    });
    assert.deepEqual(decodeNlMessages(hex('20000000 0300 0000 00000000 00000000')), {
      ok: false,
      reason: 'bad-length',
    });
    assert.deepEqual(decodeAttrs(hex('0300 0100')), { ok: false, reason: 'bad-attr-length' });
    assert.deepEqual(decodeAttrs(hex('0900 0100 00')), { ok: false, reason: 'bad-attr-length' });
    assert.deepEqual(decodeAttrs(hex('0800 01')), { ok: false, reason: 'bad-attr-length' });
    assert.deepEqual(decodeIfAddrMsg(hex('02 18 00')), { ok: false, reason: 'too-short' });
    assert.deepEqual(decodeNlError(hex('efffffff'), 0), { ok: false, reason: 'too-short' });
    assert.equal(addressFromPayload(hex('02 18 00 00 03000000'), new Map()), undefined);
  });
});

describe('properties', () => {
  test('decoders never throw on arbitrary bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.integer({ min: 0, max: 0xffff }),
        (b, f) => {
          decodeNlMessages(b);
          decodeAttrs(b);
          decodeIfAddrMsg(b);
          decodeIfInfoMsg(b);
          decodeRtMsg(b);
          decodeNlError(b, f);
          linkFromMessage({ type: 16, flags: f, seq: 0, pid: 0, payload: b });
          addressFromPayload(b, new Map());
        },
      ),
      { numRuns: 3000 },
    );
  });

  test('decoders never throw on messages with plausible headers and random attributes', () => {
    const attr = fc.record({
      type: fc.integer({ min: 0, max: 0xffff }),
      value: fc.uint8Array({ maxLength: 24 }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 26 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.array(attr, { maxLength: 6 }),
        fc.integer({ min: 0, max: 8 }),
        (type, head, attrs, cut) => {
          const msg = encodeNlMessage({ type, flags: 0, seq: 0 }, head, attrs);
          const whole = decodeNlMessages(msg.subarray(0, msg.length - cut));
          if (!whole.ok) return;
          for (const m of whole.value) {
            linkFromMessage(m);
            addressFromPayload(m.payload, new Map());
            decodeRtMsg(m.payload);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('attributes round-trip through encode and decode', () => {
    const attr = fc.record({
      type: fc.integer({ min: 0, max: 0x3fff }),
      value: fc.uint8Array({ maxLength: 40 }),
    });
    fc.assert(
      fc.property(fc.array(attr, { maxLength: 8 }), (attrs) => {
        const d = decodeAttrs(encodeAttrs(attrs));
        assert.ok(d.ok);
        assert.deepEqual(
          d.value.map((a) => ({ type: a.type, value: Uint8Array.from(a.value) })),
          attrs.map((a) => ({ type: a.type, value: a.value })),
        );
      }),
    );
  });
});
