// The IPVS generic netlink codec against byte vectors written out by hand from the layouts in
// include/uapi/linux/ip_vs.h and genetlink.h (shared/reference/ipvs.md §7): every request the
// client sends, every reply it reads, the kernel's 16-byte addresses and padded 64-bit stats,
// the byte order of each field. Then properties: encode→decode round-trips, and no decoder
// throws on any input. Netlink is host-endian; the vectors are little-endian.
import assert from 'node:assert/strict';
import { endianness } from 'node:os';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { LVS_SCHEDULERS } from '../../../src/config/index.js';
import {
  decodeFamily,
  decodeGenl,
  encodeGenlHeader,
  familyRequest,
} from '../../../src/sys/genl-codec.js';
import {
  decodeConfigMessage,
  decodeDaemonAttrs,
  decodeDaemonMessage,
  decodeDestAttrs,
  decodeDestMessage,
  decodeInfoMessage,
  decodeServiceAttrs,
  decodeServiceMessage,
} from '../../../src/sys/ipvs-decode.js';
import { encodeIpvsRequest } from '../../../src/sys/ipvs-encode.js';
import {
  ipvsServiceId,
  ipvsVersionText,
  type IpvsDaemon,
  type IpvsDestSpec,
  type IpvsRequest,
  type IpvsServiceSpec,
} from '../../../src/sys/ipvs-netlink.js';
import { decodeAttrs, encodeAttrs, encodeNlMessage } from '../../../src/sys/rtnl-codec.js';

const hex = (s: string): Uint8Array =>
  Uint8Array.from(Buffer.from(s.replace(/#.*$/gm, '').replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const LE = { skip: endianness() !== 'LE' ? 'vectors are little-endian' : false };

/** The attributes of a request as bytes (what follows the genl header). */
function attrBytes(r: IpvsRequest): string {
  return toHex(encodeIpvsRequest(r).attrs);
}

const TCP_80: IpvsServiceSpec = {
  family: 'inet',
  fwmark: 0,
  protocol: 6,
  address: '10.0.0.1',
  port: 80,
  scheduler: 'wlc',
  flags: 0,
  timeout: 0,
  netmask: 0xffffffff,
};

const SVC_KEY_TCP_80 = `
  2400 0100                 # SERVICE, nested, 36 bytes
    0600 0100 0200 0000     #   AF = AF_INET (host u16)
    0600 0200 0600 0000     #   PROTOCOL = TCP
    0800 0300 0a000001      #   ADDR = 10.0.0.1 (4 bytes)
    0600 0400 0050 0000     #   PORT = 80, network order`;

describe('requests', LE, () => {
  test('NEW_SERVICE TCP 10.0.0.1:80 wlc, a whole message with nlmsghdr and genlmsghdr', () => {
    const e = encodeIpvsRequest({ op: 'new-service', service: TCP_80 });
    assert.equal(e.dump, false);
    const body = Uint8Array.from([...encodeGenlHeader(e.cmd, 1), ...e.attrs]);
    const msg = encodeNlMessage({ type: 0x1c, flags: 0x5, seq: 1 }, body);
    const expected = hex(`
      5c000000 1c00 0500 01000000 00000000   # nlmsghdr: len 92, family 0x1c, REQUEST|ACK, seq 1
      01 01 0000                             # genlmsghdr: NEW_SERVICE, version 1
      4800 0100                              # SERVICE, 72 bytes
        0600 0100 0200 0000                  #   AF
        0600 0200 0600 0000                  #   PROTOCOL
        0800 0300 0a000001                   #   ADDR
        0600 0400 0050 0000                  #   PORT (be16)
        0800 0600 776c6300                   #   SCHED_NAME "wlc\\0"
        0c00 0700 00000000 ffffffff          #   FLAGS { flags 0, mask ~0 }
        0800 0800 00000000                   #   TIMEOUT 0 s
        0800 0900 ffffffff                   #   NETMASK 255.255.255.255 (mask bytes)`);
    assert.equal(toHex(msg), toHex(expected));
  });

  test('SET_SERVICE: IPv4 persistence with a /24 mask goes out as its bytes ff ff ff 00', () => {
    const e = encodeIpvsRequest({
      op: 'set-service',
      service: { ...TCP_80, scheduler: 'rr', flags: 1, timeout: 360, netmask: 0xffffff00 },
    });
    assert.equal(e.cmd, 2);
    assert.equal(
      toHex(e.attrs),
      toHex(
        hex(`
      4800 0100
        0600 0100 0200 0000
        0600 0200 0600 0000
        0800 0300 0a000001
        0600 0400 0050 0000
        0700 0600 727200 00               # "rr\\0", padded
        0c00 0700 01000000 ffffffff       # PERSISTENT
        0800 0800 68010000                # 360 s, host order
        0800 0900 ffffff00                # 255.255.255.0`),
      ),
    );
  });

  test('NEW_SERVICE fwmark 5, IPv6, persistent one-packet /64 with pe sip', () => {
    const got = attrBytes({
      op: 'new-service',
      service: {
        family: 'inet6',
        fwmark: 5,
        protocol: 0,
        address: '',
        port: 0,
        scheduler: 'rr',
        flags: 0x5,
        timeout: 300,
        netmask: 64,
        pe: 'sip',
      },
    });
    const want = hex(`
      4000 0100
        0600 0100 0a00 0000               # AF_INET6
        0800 0500 05000000                # FWMARK 5 (no protocol, address, port)
        0700 0600 727200 00               # "rr"
        0c00 0700 05000000 ffffffff       # PERSISTENT|ONEPACKET
        0800 0800 2c010000                # 300 s
        0800 0900 40000000                # prefix length 64, host order
        0800 0b00 73697000                # PE_NAME "sip"`);
    assert.equal(got, toHex(want));
  });

  test('IPv6 service address: 16 bytes', () => {
    const got = attrBytes({
      op: 'del-service',
      service: { family: 'inet6', fwmark: 0, protocol: 17, address: '2001:db8::1', port: 53 },
    });
    const want = hex(`
      3000 0100
        0600 0100 0a00 0000
        0600 0200 1100 0000               # UDP
        1400 0300 20010db8 00000000 00000000 00000001
        0600 0400 0035 0000`);
    assert.equal(got, toHex(want));
  });

  test('NEW_DEST route, weight 3, thresholds 100/10, port 8080', () => {
    const dest: IpvsDestSpec = {
      family: 'inet',
      address: '192.168.1.2',
      port: 8080,
      fwdMethod: 3,
      weight: 3,
      uThreshold: 100,
      lThreshold: 10,
    };
    const e = encodeIpvsRequest({ op: 'new-dest', service: TCP_80, dest });
    assert.equal(e.cmd, 5);
    const want = hex(`${SVC_KEY_TCP_80}
      3c00 0200                           # DEST, 60 bytes
        0800 0100 c0a80102                #   ADDR
        0600 0200 1f90 0000               #   PORT 8080 (be16)
        0600 0b00 0200 0000               #   ADDR_FAMILY
        0800 0300 03000000                #   FWD_METHOD droute
        0800 0400 03000000                #   WEIGHT
        0800 0500 64000000                #   U_THRESH
        0800 0600 0a000000                #   L_THRESH`);
    assert.equal(toHex(e.attrs), toHex(want));
  });

  test('SET_DEST tunnel: GUE port in network order, csum flag in host order', () => {
    const got = attrBytes({
      op: 'set-dest',
      service: TCP_80,
      dest: {
        family: 'inet',
        address: '192.168.1.2',
        port: 80,
        fwdMethod: 2,
        weight: 1,
        uThreshold: 0,
        lThreshold: 0,
        tunType: 1,
        tunPort: 6080,
        tunFlags: 1,
      },
    });
    const want = hex(`${SVC_KEY_TCP_80}
      5400 0200
        0800 0100 c0a80102
        0600 0200 0050 0000
        0600 0b00 0200 0000
        0800 0300 02000000                # tunnel
        0800 0400 01000000
        0800 0500 00000000
        0800 0600 00000000
        0500 0d00 01 000000               # TUN_TYPE gue (u8)
        0600 0e00 17c0 0000               # TUN_PORT 6080 (be16)
        0600 0f00 0100 0000               # TUN_FLAGS csum`);
    assert.equal(got, toHex(want));
  });

  test('DEL_DEST carries the destination key only', () => {
    const got = attrBytes({
      op: 'del-dest',
      service: TCP_80,
      dest: { family: 'inet', address: '192.168.1.2', port: 80 },
    });
    const want = hex(`${SVC_KEY_TCP_80}
      1c00 0200
        0800 0100 c0a80102
        0600 0200 0050 0000
        0600 0b00 0200 0000`);
    assert.equal(got, toHex(want));
  });

  test('NEW_DAEMON master with every option; DEL_DAEMON backup', () => {
    const daemon: IpvsDaemon = {
      state: 'master',
      mcastInterface: 'eth0',
      syncId: 5,
      syncMaxlen: 1472,
      mcastGroup: '224.0.0.81',
      mcastPort: 8848,
      mcastTtl: 1,
    };
    const e = encodeIpvsRequest({ op: 'new-daemon', daemon });
    assert.equal(e.cmd, 9);
    const want = hex(`
      4000 0300                           # DAEMON, 64 bytes
        0800 0100 01000000                #   STATE master
        0900 0200 65746830 00 000000      #   MCAST_IFN "eth0"
        0800 0300 05000000                #   SYNC_ID
        0600 0400 c005 0000               #   SYNC_MAXLEN 1472, host order
        0800 0500 e0000051                #   MCAST_GROUP 224.0.0.81
        0600 0700 9022 0000               #   MCAST_PORT 8848, host order
        0500 0800 01 000000               #   MCAST_TTL`);
    assert.equal(toHex(e.attrs), toHex(want));
    assert.equal(
      attrBytes({ op: 'del-daemon', state: 'backup' }),
      toHex(hex('0c00 0300 0800 0100 02000000')),
    );
  });

  test('IPv6 mcast group uses MCAST_GROUP6', () => {
    const got = attrBytes({
      op: 'new-daemon',
      daemon: { state: 'backup', mcastInterface: 'e', syncId: 0, mcastGroup: 'ff02::1' },
    });
    const want = hex(`
      3000 0300
        0800 0100 02000000
        0600 0200 6500 0000
        0800 0300 00000000
        1400 0600 ff020000 00000000 00000000 00000001`);
    assert.equal(got, toHex(want));
  });

  test('SET_CONFIG timeouts; ZERO with and without a service; the dumps', () => {
    assert.equal(
      attrBytes({ op: 'set-config', timeouts: { tcp: 900, tcpfin: 120, udp: 300 } }),
      toHex(hex('0800 0400 84030000  0800 0500 78000000  0800 0600 2c010000')),
    );
    assert.equal(attrBytes({ op: 'zero' }), '');
    assert.equal(attrBytes({ op: 'zero', service: TCP_80 }), toHex(hex(SVC_KEY_TCP_80)));
    const table: [IpvsRequest, number, boolean][] = [
      [{ op: 'get-services' }, 4, true],
      [{ op: 'get-service', service: TCP_80 }, 4, false],
      [{ op: 'get-dests', service: TCP_80 }, 8, true],
      [{ op: 'get-daemons' }, 11, true],
      [{ op: 'get-config' }, 13, false],
      [{ op: 'get-info' }, 15, false],
      [{ op: 'zero' }, 16, false],
      [{ op: 'flush' }, 17, false],
      [{ op: 'del-service', service: TCP_80 }, 3, false],
    ];
    for (const [r, cmd, dump] of table) {
      const e = encodeIpvsRequest(r);
      assert.deepEqual([r.op, e.cmd, e.dump], [r.op, cmd, dump]);
    }
    assert.equal(attrBytes({ op: 'get-dests', service: TCP_80 }), toHex(hex(SVC_KEY_TCP_80)));
  });

  test('nlctrl GETFAMILY "IPVS"', () => {
    const { body, attrs } = familyRequest('IPVS');
    assert.equal(toHex(body), '03020000');
    assert.equal(toHex(encodeAttrs(attrs)), toHex(hex('0900 0200 49505653 00 000000')));
  });
});

/** A NEW_SERVICE reply as the kernel writes it: 16-byte ADDR, STATS and STATS64 with PAD. */
const SERVICE_REPLY = hex(`
  01 01 0000                              # NEW_SERVICE, version 1
  3001 0100                               # SERVICE, 304 bytes
    0600 0100 0200 0000                   #   AF_INET
    0600 0200 0600 0000                   #   TCP
    1400 0300 0a000001 00000000 00000000 00000000   # ADDR, union nf_inet_addr
    0600 0400 0050 0000                   #   PORT 80
    0800 0600 776c6300                    #   "wlc"
    0c00 0700 02000000 ffffffff           #   FLAGS: HASHED
    0800 0800 00000000                    #   TIMEOUT
    0800 0900 ffffffff                    #   NETMASK
    5c00 0a00                             #   STATS (u32 counts and rates, u64 bytes)
      0800 0100 07000000
      0800 0200 64000000
      0800 0300 00000000
      0c00 0400 70170000 00000000
      0c00 0500 00000000 00000000
      0800 0600 01000000
      0800 0700 02000000
      0800 0800 00000000
      0800 0900 78000000
      0800 0a00 00000000
    8000 0c00                             #   STATS64, all u64, after a PAD
      0400 0b00
      0c00 0100 07000000 00000000
      0c00 0200 64000000 00000000
      0c00 0300 00000000 00000000
      0c00 0400 00000000 00010000         #   INBYTES 2^40
      0c00 0500 00000000 00000000
      0c00 0600 01000000 00000000
      0c00 0700 02000000 00000000
      0c00 0800 00000000 00000000
      0c00 0900 78000000 00000000
      0c00 0a00 00000000 00000000`);

const DEST_REPLY = hex(`
  05 01 0000                              # NEW_DEST
  d400 0200                               # DEST
    1400 0100 c0a80102 00000000 00000000 00000000
    0600 0200 1f90 0000                   #   PORT 8080
    0800 0300 00000000                    #   masq
    0800 0400 05000000                    #   WEIGHT 5
    0500 0d00 00 000000                   #   TUN_TYPE
    0600 0e00 0000 0000                   #   TUN_PORT
    0600 0f00 0000 0000                   #   TUN_FLAGS
    0800 0500 00000000                    #   U_THRESH
    0800 0600 00000000                    #   L_THRESH
    0800 0700 03000000                    #   ACTIVE_CONNS 3
    0800 0800 04000000                    #   INACT_CONNS 4
    0800 0900 01000000                    #   PERSIST_CONNS 1
    0600 0b00 0200 0000                   #   ADDR_FAMILY
    5c00 0a00                             #   STATS only (a kernel before STATS64)
      0800 0100 09000000
      0800 0200 0a000000
      0800 0300 0b000000
      0c00 0400 0c000000 00000000
      0c00 0500 0d000000 00000000
      0800 0600 00000000
      0800 0700 00000000
      0800 0800 00000000
      0800 0900 00000000
      0800 0a00 00000000`);

function genl(bytes: Uint8Array) {
  const m = decodeGenl(bytes);
  assert.ok(m.ok);
  return m.value;
}

describe('replies', LE, () => {
  test('NEW_SERVICE: 16-byte address, hashed flag, STATS64 preferred', () => {
    const m = genl(SERVICE_REPLY);
    assert.deepEqual([m.cmd, m.version], [1, 1]);
    const s = decodeServiceMessage(m);
    assert.ok(s.ok, JSON.stringify(s));
    assert.deepEqual(s.value, {
      family: 'inet',
      fwmark: 0,
      protocol: 6,
      address: '10.0.0.1',
      port: 80,
      scheduler: 'wlc',
      flags: 2,
      timeout: 0,
      netmask: 0xffffffff,
      stats: {
        conns: 7,
        inpkts: 100,
        outpkts: 0,
        inbytes: 2 ** 40,
        outbytes: 0,
        cps: 1,
        inpps: 2,
        outpps: 0,
        inbps: 120,
        outbps: 0,
      },
    });
  });

  test('NEW_SERVICE of a fwmark IPv6 service', () => {
    const m = genl(
      hex(`01 01 0000
        3800 0100
          0600 0100 0a00 0000
          0800 0500 2a000000              # FWMARK 42
          0700 0600 736800 00              # "sh"
          0c00 0700 0b000000 ffffffff     # PERSISTENT|HASHED|SCHED1
          0800 0800 2c010000
          0800 0900 80000000              # /128`),
    );
    const s = decodeServiceMessage(m);
    assert.ok(s.ok);
    assert.equal(ipvsServiceId(s.value), 'FWM|inet6|42');
    assert.deepEqual(
      [s.value.scheduler, s.value.flags, s.value.timeout, s.value.netmask, s.value.stats.conns],
      ['sh', 0xb, 300, 128, 0],
    );
  });

  test('NEW_DEST: counts, tunnel fields, STATS fallback', () => {
    const d = decodeDestMessage(genl(DEST_REPLY), 'inet');
    assert.ok(d.ok, JSON.stringify(d));
    assert.deepEqual(d.value, {
      family: 'inet',
      address: '192.168.1.2',
      port: 8080,
      fwdMethod: 0,
      weight: 5,
      uThreshold: 0,
      lThreshold: 0,
      tunType: 0,
      tunPort: 0,
      tunFlags: 0,
      activeConns: 3,
      inactConns: 4,
      persistConns: 1,
      stats: {
        conns: 9,
        inpkts: 10,
        outpkts: 11,
        inbytes: 12,
        outbytes: 13,
        cps: 0,
        inpps: 0,
        outpps: 0,
        inbps: 0,
        outbps: 0,
      },
    });
  });

  test('NEW_DEST without ADDR_FAMILY takes the service family', () => {
    const m = genl(
      hex(`05 01 0000
        3000 0200
          1400 0100 20010db8 00000000 00000000 00000002
          0600 0200 0050 0000
          0800 0300 03000000
          0800 0400 01000000`),
    );
    const d = decodeDestMessage(m, 'inet6');
    assert.ok(d.ok);
    assert.deepEqual([d.value.family, d.value.address, d.value.port], ['inet6', '2001:db8::2', 80]);
    assert.deepEqual(d.value.stats.conns, 0);
  });

  test('NEW_DAEMON, SET_CONFIG and SET_INFO replies', () => {
    const daemon = decodeDaemonMessage(
      genl(
        hex(`09 01 0000
          4000 0300
            0800 0100 01000000
            0900 0200 65746830 00 000000
            0800 0300 05000000
            0600 0400 c005 0000
            0600 0700 9022 0000
            0500 0800 01 000000
            0800 0500 e0000051`),
      ),
    );
    assert.deepEqual(daemon, {
      ok: true,
      value: {
        state: 'master',
        mcastInterface: 'eth0',
        syncId: 5,
        syncMaxlen: 1472,
        mcastGroup: '224.0.0.81',
        mcastPort: 8848,
        mcastTtl: 1,
      },
    });
    const config = decodeConfigMessage(
      genl(hex('0c 01 0000  0800 0400 84030000  0800 0500 78000000  0800 0600 2c010000')),
    );
    assert.deepEqual(config, { ok: true, value: { tcp: 900, tcpfin: 120, udp: 300 } });
    const info = decodeInfoMessage(genl(hex('0e 01 0000  0800 0100 01020100  0800 0200 00100000')));
    assert.deepEqual(info, { ok: true, value: { version: 0x010201, connTabSize: 4096 } });
    assert.equal(ipvsVersionText(0x010201), '1.2.1');
  });

  test('nlctrl NEWFAMILY reply', () => {
    const f = decodeFamily(
      hex(`01 02 0000
        0600 0100 1c00 0000              # FAMILY_ID 0x1c
        0900 0200 49505653 00 000000     # "IPVS"
        0800 0300 01000000
        0800 0400 00000000
        0800 0500 06000000`),
    );
    assert.deepEqual(f, {
      ok: true,
      value: { id: 0x1c, name: 'IPVS', version: 1, maxAttr: 6 },
      bytesRead: 48,
    });
  });
});

describe('rejections', LE, () => {
  const cases: [string, () => { ok: boolean; reason?: string }, string][] = [
    ['service without AF', () => decodeServiceAttrs(hex('0800 0500 05000000')), 'bad-family'],
    [
      'service with AF_UNIX',
      () => decodeServiceAttrs(hex('0600 0100 0100 0000 0800 0500 05000000')),
      'bad-family',
    ],
    [
      'service without a scheduler',
      () => decodeServiceAttrs(hex('0600 0100 0200 0000 0800 0500 05000000')),
      'missing-attr',
    ],
    [
      'service address shorter than 4 bytes',
      () => decodeServiceAttrs(hex('0600 0100 0200 0000 0600 0200 0600 0000 0600 0300 0a00 0000')),
      'missing-attr',
    ],
    [
      'attribute longer than its buffer',
      () => decodeServiceAttrs(hex('0c00 0100 0200')),
      'bad-attr-length',
    ],
    [
      'dest without weight',
      () => decodeDestAttrs(hex('0800 0100 0a000001'), 'inet'),
      'missing-attr',
    ],
    ['daemon with state 3', () => decodeDaemonAttrs(hex('0800 0100 03000000')), 'missing-attr'],
    ['genl header cut short', () => decodeGenl(hex('01 01')), 'too-short'],
    [
      'a service message that is a dest',
      () => decodeServiceMessage(genl(DEST_REPLY)),
      'bad-command',
    ],
    [
      'SET_INFO without CONN_TAB_SIZE',
      () => decodeInfoMessage(genl(hex('0e 01 0000 0800 0100 01020100'))),
      'missing-attr',
    ],
    [
      'family reply without an id',
      () => decodeFamily(hex('01 02 0000 0900 0200 49505653 00 000000')),
      'bad-attr-length',
    ],
  ];
  for (const [name, run, reason] of cases) {
    test(name, () => {
      const r = run();
      assert.equal(r.ok, false);
      assert.equal(r.reason, reason);
    });
  }
});

// ---- properties -------------------------------------------------------------------------------

const ipv4 = fc
  .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 }))
  .map((p) => p.join('.'));
const ipv6 = fc
  .array(fc.nat(0xffff), { minLength: 8, maxLength: 8 })
  .map((w) => Uint8Array.from(w.flatMap((x) => [x >> 8, x & 255])))
  .map((b) => decodeAddr(b));

function decodeAddr(b: Uint8Array): string {
  // The codec's own text form, via a DEST reply without ADDR_FAMILY.
  const attrs = encodeAttrs([
    { type: 1, value: b },
    { type: 2, value: Uint8Array.of(0, 0) },
    { type: 3, value: Uint8Array.of(0, 0, 0, 0) },
    { type: 4, value: Uint8Array.of(0, 0, 0, 0) },
  ]);
  const d = decodeDestAttrs(attrs, 'inet6');
  if (!d.ok) throw new Error('bad address');
  return d.value.address;
}

const serviceSpec: fc.Arbitrary<IpvsServiceSpec> = fc
  .record({
    v6: fc.boolean(),
    fwmark: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 0xffffffff })),
    protocol: fc.constantFrom(6, 17, 132),
    a4: ipv4,
    a6: ipv6,
    port: fc.nat(65535),
    scheduler: fc.constantFrom(...LVS_SCHEDULERS),
    flags: fc.nat(0x3f),
    timeout: fc.nat(2678400),
    netmask: fc.nat(0xffffffff),
    prefix: fc.integer({ min: 1, max: 128 }),
    pe: fc.option(fc.constant('sip'), { nil: undefined }),
  })
  .map((r) => ({
    family: r.v6 ? 'inet6' : 'inet',
    fwmark: r.fwmark,
    protocol: r.fwmark !== 0 ? 0 : r.protocol,
    address: r.fwmark !== 0 ? '' : r.v6 ? r.a6 : r.a4,
    port: r.fwmark !== 0 ? 0 : r.port,
    scheduler: r.scheduler,
    flags: r.flags,
    timeout: r.timeout,
    netmask: r.v6 ? r.prefix : r.netmask,
    ...(r.pe === undefined ? {} : { pe: r.pe }),
  }));

const destSpec: fc.Arbitrary<IpvsDestSpec> = fc
  .record({
    v6: fc.boolean(),
    a4: ipv4,
    a6: ipv6,
    port: fc.nat(65535),
    fwdMethod: fc.constantFrom(0, 1, 2, 3),
    weight: fc.nat(2147483647),
    u: fc.nat(2147483647),
    l: fc.nat(2147483647),
    tun: fc.option(fc.record({ tunType: fc.nat(2), tunPort: fc.nat(65535), tunFlags: fc.nat(3) }), {
      nil: undefined,
    }),
  })
  .map((r) => ({
    family: r.v6 ? 'inet6' : 'inet',
    address: r.v6 ? r.a6 : r.a4,
    port: r.port,
    fwdMethod: r.fwdMethod,
    weight: r.weight,
    uThreshold: r.u,
    lThreshold: r.l,
    ...(r.tun ?? {}),
  }));

/** The nested attribute of an encoded request, by type. */
function nestedOf(r: IpvsRequest, type: number): Uint8Array {
  const attrs = decodeAttrs(encodeIpvsRequest(r).attrs);
  assert.ok(attrs.ok);
  const a = attrs.value.find((x) => x.type === type);
  assert.ok(a !== undefined);
  return a.value;
}

describe('properties', () => {
  test('a service spec survives encode → decode', () => {
    fc.assert(
      fc.property(serviceSpec, (spec) => {
        const d = decodeServiceAttrs(nestedOf({ op: 'new-service', service: spec }, 1));
        assert.ok(d.ok);
        const { stats, ...rest } = d.value;
        assert.deepEqual(rest, spec);
        assert.equal(stats.conns, 0);
      }),
    );
  });

  test('a destination spec survives encode → decode', () => {
    fc.assert(
      fc.property(serviceSpec, destSpec, (svc, dest) => {
        const d = decodeDestAttrs(nestedOf({ op: 'new-dest', service: svc, dest }, 2), 'inet');
        assert.ok(d.ok);
        const { activeConns, inactConns, persistConns, stats, ...rest } = d.value;
        assert.deepEqual(rest, dest);
        assert.deepEqual([activeConns, inactConns, persistConns, stats.inbytes], [0, 0, 0, 0]);
      }),
    );
  });

  test('a daemon survives encode → decode', () => {
    const daemon: fc.Arbitrary<IpvsDaemon> = fc
      .record({
        state: fc.constantFrom('master' as const, 'backup' as const),
        mcastInterface: fc.stringMatching(/^[a-z0-9.]{1,15}$/),
        syncId: fc.nat(255),
        syncMaxlen: fc.option(fc.integer({ min: 1, max: 65507 }), { nil: undefined }),
        mcastGroup: fc.option(fc.constantFrom('224.0.0.81', '239.1.2.3', 'ff02::1'), {
          nil: undefined,
        }),
        mcastPort: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
        mcastTtl: fc.option(fc.integer({ min: 1, max: 255 }), { nil: undefined }),
      })
      .map((r) =>
        Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)),
      ) as unknown as fc.Arbitrary<IpvsDaemon>;
    fc.assert(
      fc.property(daemon, (d) => {
        const got = decodeDaemonAttrs(nestedOf({ op: 'new-daemon', daemon: d }, 3));
        assert.deepEqual(got, { ok: true, value: d });
      }),
    );
  });

  test('no decoder throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(20), (bytes, cmd) => {
        decodeServiceAttrs(bytes);
        decodeDestAttrs(bytes, 'inet');
        decodeDestAttrs(bytes, 'inet6');
        decodeDaemonAttrs(bytes);
        decodeFamily(bytes);
        const g = decodeGenl(bytes);
        if (g.ok) {
          const m = { ...g.value, cmd };
          decodeServiceMessage(m);
          decodeDestMessage(m, 'inet');
          decodeDaemonMessage(m);
          decodeConfigMessage(m);
          decodeInfoMessage(m);
        }
      }),
      { numRuns: 3000 },
    );
  });

  test('no decoder throws on well-framed attributes with random types and values', () => {
    const attr = fc.record({ type: fc.nat(16), value: fc.uint8Array({ maxLength: 24 }) });
    const attrs = fc.array(attr, { maxLength: 16 });
    fc.assert(
      fc.property(attrs, attrs, fc.nat(16), (inner, outer, cmd) => {
        const innerBytes = encodeAttrs(inner);
        const msg = {
          cmd,
          version: 1,
          attrs: [...outer, ...[1, 2, 3].map((type) => ({ type, value: innerBytes }))],
        };
        for (const decode of [
          () => decodeServiceMessage({ ...msg, cmd: 1 }),
          () => decodeDestMessage({ ...msg, cmd: 5 }, 'inet'),
          () => decodeDaemonMessage({ ...msg, cmd: 9 }),
          () => decodeConfigMessage({ ...msg, cmd: 12 }),
          () => decodeInfoMessage({ ...msg, cmd: 14 }),
        ]) {
          const r = decode();
          assert.equal(typeof r.ok, 'boolean');
        }
        assert.ok(decodeAttrs(innerBytes).ok);
      }),
      { numRuns: 2000 },
    );
  });
});
