// Receive validation, one row per keepalived check: a captured advert, one change to the
// instance or the packet, and the reason and log detail keepalived 2.2.7 gives (its wording was
// read from the 2.2.7 binary's format strings).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { encodeAdvert } from '../../../src/vrrp/packet.js';
import {
  checkAdvert,
  passwordBytes,
  RX_REJECT_REASONS,
  RX_REJECT_STATS,
  type ReceivedPacket,
  type ReceiveOptions,
  type ReceiveParams,
  type RxVerdict,
} from '../../../src/vrrp/receive.js';
import { fromHex, VECTORS } from '../../fixtures/vrrp/vectors.js';

const vec = (name: string): Buffer => {
  const v = VECTORS.find((x) => x.name === name);
  assert.ok(v, name);
  return fromHex(v.hex);
};
const V2_PASS = vec('v2 PASS auth, IPv4 multicast');
const V2_PRIO0 = vec('v2 PASS auth, priority 0 on shutdown');
const V3_MCAST = vec('v3 IPv4 multicast, 50 cs interval');
const V3_UCAST = vec('v3 IPv4 unicast');
const V3_IPV6 = vec('v3 IPv6 multicast from a link-local source');
// The unicast advert with keepalived < 1.3.6's checksum (224.0.0.18 in the pseudo-header),
// worked out by hand; see packet.test.ts.
const V3_UCAST_OLD = fromHex('31 36 ff 01 0064 da6b 0a000068');

const V2: ReceiveParams = {
  version: 2,
  vrid: 51,
  family: 'inet',
  authType: 1,
  authPass: 'secret',
  advertIntCs: 100,
  vips: ['10.0.0.100'],
  unicast: false,
  unicastPeers: [],
  checkUnicastSrc: false,
  skipCheckAdvAddr: false,
  vipCheck: 'reject',
};
const RX: ReceivedPacket = {
  payload: V2_PASS,
  src: '10.0.0.1',
  dst: '224.0.0.18',
  ttl: 255,
  ipTotalLength: 40,
  multicast: true,
};
const V3U: ReceiveParams = {
  ...V2,
  version: 3,
  vrid: 54,
  authType: 0,
  vips: ['10.0.0.104'],
  unicast: true,
  unicastPeers: [{ address: '10.0.0.1' }],
};
const RXU: ReceivedPacket = {
  payload: V3_UCAST,
  src: '10.0.0.1',
  dst: '10.0.0.2',
  ttl: 255,
  ipTotalLength: 32,
  multicast: false,
};
const V6: ReceiveParams = {
  ...V2,
  version: 3,
  vrid: 55,
  family: 'inet6',
  authType: 0,
  vips: ['fe80::55', '2001:db8::55'],
};
const RX6: ReceivedPacket = {
  payload: V3_IPV6,
  src: 'fe80::1',
  dst: 'ff02::12',
  ttl: 255,
  multicast: true,
};

const patch = (bytes: Buffer, at: number, value: number): Buffer => {
  const c = Buffer.from(bytes);
  c[at] = value;
  return c;
};

interface Row {
  name: string;
  inst?: Partial<ReceiveParams>;
  rx?: Partial<ReceivedPacket>;
  base?: [ReceiveParams, ReceivedPacket];
  opts?: ReceiveOptions;
  reason: string;
  detail: string;
}

// prettier-ignore
const REJECTS: Row[] = [
  { name: 'another VRID', inst: { vrid: 52 }, reason: 'wrong-vrid', detail: 'received VRID mismatch. Received 51, Expected 52' },
  { name: 'AH header, no AH configured', rx: { protocol: 51 }, reason: 'auth-ah', detail: 'Received AH header but auth type not AH' },
  { name: 'AH configured, none received', inst: { authType: 2 }, reason: 'auth-ah', detail: 'No AH header but auth type is AH' },
  { name: 'AH both sides (not implemented)', inst: { authType: 2 }, rx: { protocol: 51 }, reason: 'auth-ah', detail: 'IPsec AH authentication is not supported' },
  { name: 'shorter than a header', rx: { payload: V2_PASS.subarray(0, 7) }, reason: 'length', detail: 'IPv4 VRRP packet too short - 27 bytes' },
  { name: 'auth data cut off', rx: { payload: V2_PASS.subarray(0, 16) }, reason: 'length', detail: 'vrrp packet too short, length 16 and expect 20' },
  { name: 'four extra bytes are not padding', rx: { payload: Buffer.concat([V2_PASS, Buffer.alloc(4)]) }, reason: 'length', detail: 'vrrp packet too long, length 24 and expect 20' },
  { name: 'IPv6 adverts are never padded', base: [V6, RX6], rx: { payload: Buffer.concat([V3_IPV6, Buffer.alloc(6)]) }, reason: 'length', detail: 'vrrp packet too long, length 46 and expect 40' },
  { name: 'TTL 64', rx: { ttl: 64 }, reason: 'ttl', detail: 'invalid TTL/HL. Received 64 and expect 255' },
  { name: 'v3 advert at a v2 instance', rx: { payload: V3_MCAST, ipTotalLength: 32 }, inst: { vrid: 53 }, reason: 'version', detail: 'wrong version. Received 3 and expect 2' },
  { name: 'auth type 3', rx: { payload: patch(V2_PASS, 4, 3) }, reason: 'auth-type-invalid', detail: 'Invalid auth type: 3' },
  { name: 'PASS received, none configured', inst: { authType: 0 }, reason: 'auth-type-mismatch', detail: 'received a 1 auth, expecting 0!' },
  { name: 'wrong password', inst: { authPass: 'secreT' }, reason: 'auth-failure', detail: 'received an invalid passwd!' },
  { name: 'v2 interval differs', inst: { advertIntCs: 200 }, reason: 'interval', detail: "advertisement interval mismatch mine=2 sec rcv'd=1 sec" },
  { name: 'type 2', rx: { payload: patch(V2_PASS, 0, 0x22) }, reason: 'type', detail: 'Invalid packet type. 2 and expect 1' },
  { name: 'tot_len disagrees', rx: { ipTotalLength: 41 }, reason: 'ip-length', detail: 'ip_tot_len mismatch against received length. 41 and received 40' },
  { name: 'v2 checksum', rx: { payload: patch(V2_PASS, 7, 0x18) }, reason: 'checksum', detail: 'Invalid VRRPv2 checksum' },
  { name: 'v3 checksum', base: [V3U, RXU], rx: { dst: '10.0.0.3' }, reason: 'checksum', detail: 'Invalid VRRPv3 checksum' },
  { name: 'old unicast checksum refused (old_unicast_checksum never)', base: [V3U, RXU], rx: { payload: V3_UCAST_OLD }, opts: { acceptOldUnicastChecksum: false }, reason: 'checksum', detail: 'Invalid VRRPv3 checksum' },
  { name: 'IPv6 checksum, verified for UDP', base: [V6, RX6], rx: { payload: patch(V3_IPV6, 7, 0) }, opts: { verifyIpv6Checksum: true }, reason: 'checksum', detail: 'Invalid VRRPv3 checksum' },
  { name: 'multicast at a unicast instance', base: [V3U, RXU], rx: { multicast: true }, reason: 'cast-type', detail: 'Expected unicast packet but received multicast packet' },
  { name: 'unicast at a multicast instance', rx: { multicast: false }, reason: 'cast-type', detail: 'Expected multicast packet but received unicast packet' },
  { name: 'fewer VIPs than ours', inst: { vips: ['10.0.0.100', '10.0.0.200'] }, reason: 'address-list', detail: 'expected 2 VIPs but received 1' },
  { name: 'a VIP of ours missing', inst: { vips: ['10.0.0.200'] }, reason: 'address-list', detail: 'ip address associated with VRID 51 not present in MASTER advert: 10.0.0.200' },
  { name: 'skip_check_adv_addr does not cover a new master', inst: { vips: ['10.0.0.200'], skipCheckAdvAddr: true }, opts: { currentMaster: '10.0.0.9' }, reason: 'address-list', detail: 'ip address associated with VRID 51 not present in MASTER advert: 10.0.0.200' },
  { name: 'source not a peer', base: [V3U, RXU], inst: { unicastPeers: [{ address: '10.0.0.9' }], checkUnicastSrc: true }, reason: 'unicast-src', detail: 'unicast source address 10.0.0.1 not a unicast peer' },
  { name: 'peer TTL below min_ttl', base: [V3U, RXU], inst: { unicastPeers: [{ address: '10.0.0.1', minTtl: 250 }] }, rx: { ttl: 64 }, reason: 'ttl', detail: 'TTL/HL 64 not in range 250 - 255' },
  { name: 'peer TTL above max_ttl', base: [V3U, RXU], inst: { unicastPeers: [{ address: '10.0.0.1', maxTtl: 64 }] }, reason: 'ttl', detail: 'TTL/HL 255 not in range 0 - 64' },
];

function run(row: Omit<Row, 'name' | 'reason' | 'detail'>): RxVerdict {
  const [inst, rx] = row.base ?? [V2, RX];
  return checkAdvert({ ...inst, ...row.inst }, { ...rx, ...row.rx }, row.opts);
}

for (const row of REJECTS) {
  test(`rejects ${row.reason}: ${row.name}`, () => {
    assert.deepEqual(run(row), { ok: false, reason: row.reason, detail: row.detail });
  });
}

test('every reject reason has a row, and a stats mapping', () => {
  const covered = new Set(REJECTS.map((r) => r.reason));
  assert.deepEqual(
    RX_REJECT_REASONS.filter((r) => !covered.has(r)),
    [],
  );
  assert.deepEqual(Object.keys(RX_REJECT_STATS).sort(), [...RX_REJECT_REASONS].sort());
});

const accept = (row: Omit<Row, 'name' | 'reason' | 'detail'>): RxVerdict & { ok: true } => {
  const r = run(row);
  assert.ok(r.ok, JSON.stringify(r));
  return r;
};
const kinds = (r: { notes: readonly { kind: string }[] }): string[] => r.notes.map((n) => n.kind);

test('accepts the captured adverts for their instances', () => {
  const r = accept({});
  assert.equal(r.advert.vrid, 51);
  assert.deepEqual(r.notes, []);
  assert.deepEqual(kinds(accept({ base: [V3U, RXU] })), []);
  assert.deepEqual(kinds(accept({ base: [V6, RX6] })), []);
});

test('Ethernet padding up to the 60-byte minimum frame is tolerated, also less VLAN tags', () => {
  // 20 + 20 = 40-byte datagram: padded to 46 (no tag) or to 42 (one 802.1Q tag stripped since).
  for (const extra of [6, 2]) {
    const r = accept({ rx: { payload: Buffer.concat([V2_PASS, Buffer.alloc(extra)]) } });
    assert.equal(r.advert.addresses[0], '10.0.0.100');
  }
});

test('no TTL to check (UDP transport) is not a rejection', () => {
  accept({ rx: { ttl: undefined } });
  accept({
    base: [V3U, RXU],
    inst: { unicastPeers: [{ address: '10.0.0.1', minTtl: 250 }] },
    rx: { ttl: undefined },
  });
});

test('unicast skips the TTL 255 rule; check_unicast_src off accepts strangers', () => {
  accept({ base: [V3U, RXU], rx: { ttl: 64 } });
  accept({ base: [V3U, RXU], inst: { unicastPeers: [{ address: '10.0.0.9' }] } });
});

test('pre-1.3.6 unicast checksum is accepted with a note (old_unicast_checksum auto)', () => {
  const r = accept({ base: [V3U, RXU], rx: { payload: V3_UCAST_OLD } });
  assert.deepEqual(r.notes, [
    { kind: 'old-unicast-checksum', detail: 'Setting unicast VRRPv3 checksum to old version' },
  ]);
});

test('v3_checksum_as_v2 accepts a checksum without pseudo-header, noted', () => {
  const asV2 = fromHex('31 36 ff 01 0064 c4fb 0a000068');
  assert.deepEqual(
    kinds(accept({ base: [V3U, RXU], rx: { payload: asV2 }, opts: { v3ChecksumAsV2: true } })),
    ['checksum-as-v2'],
  );
});

test('IPv6 checksum is left to the kernel on raw sockets', () => {
  accept({ base: [V6, RX6], rx: { payload: patch(V3_IPV6, 7, 0) } });
});

test('v3 interval mismatch is a note carrying the master interval, not a rejection', () => {
  const r = accept({
    base: [
      { ...V3U, vrid: 53, unicast: false, vips: ['10.0.0.103'] },
      { ...RX, payload: V3_MCAST, ipTotalLength: 32 },
    ],
  });
  assert.deepEqual(r.notes, [
    {
      kind: 'v3-interval',
      advertIntCs: 50,
      detail: "advertisement interval mismatch mine=1000ms rcv'd=500ms",
    },
  ]);
});

test('priority 0 is accepted and noted', () => {
  assert.deepEqual(kinds(accept({ rx: { payload: V2_PRIO0 } })), ['priority-zero']);
});

test("vip_check 'log' keeps the advert with a note; skip_check_adv_addr spares the current master", () => {
  const r = accept({ inst: { vips: ['10.0.0.200'], vipCheck: 'log' } });
  assert.deepEqual(r.notes, [
    {
      kind: 'vip-mismatch',
      detail: 'ip address associated with VRID 51 not present in MASTER advert: 10.0.0.200',
    },
  ]);
  const s = accept({
    inst: { vips: ['10.0.0.200'], skipCheckAdvAddr: true },
    opts: { currentMaster: '10.0.0.1' },
  });
  assert.deepEqual(s.notes, []);
});

test('VIP order does not matter', () => {
  const two = encodeAdvert(
    {
      version: 2,
      type: 1,
      vrid: 51,
      priority: 100,
      advertIntCs: 100,
      authType: 1,
      authData: passwordBytes('secret'),
      family: 'inet',
      addresses: ['10.0.0.1', '10.0.0.2'],
    },
    { src: '10.0.0.1', dst: '224.0.0.18' },
  );
  accept({ inst: { vips: ['10.0.0.2', '10.0.0.1'] }, rx: { payload: two, ipTotalLength: 44 } });
});

test('auth_pass is compared on its first 8 bytes, as keepalived truncates it', () => {
  assert.deepEqual([...passwordBytes('secret12345')], [...Buffer.from('secret12')]);
  assert.deepEqual([...passwordBytes('ab')], [0x61, 0x62, 0, 0, 0, 0, 0, 0]);
  const long = encodeAdvert(
    {
      version: 2,
      type: 1,
      vrid: 51,
      priority: 100,
      advertIntCs: 100,
      authType: 1,
      authData: passwordBytes('secret12'),
      family: 'inet',
      addresses: ['10.0.0.100'],
    },
    { src: '10.0.0.1', dst: '224.0.0.18' },
  );
  accept({ inst: { authPass: 'secret12345' }, rx: { payload: long } });
});

test('fuzz: random payloads give a verdict with a known reason', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 120 }),
      fc.constantFrom<[ReceiveParams, ReceivedPacket]>([V2, RX], [V3U, RXU], [V6, RX6]),
      fc.option(fc.nat(255), { nil: undefined }),
      (payload, [inst, rx], ttl) => {
        const r = checkAdvert(inst, {
          src: rx.src,
          dst: rx.dst,
          multicast: rx.multicast,
          payload,
          ttl,
        });
        if (!r.ok) assert.ok(RX_REJECT_REASONS.includes(r.reason));
      },
    ),
    { numRuns: 3000 },
  );
});
