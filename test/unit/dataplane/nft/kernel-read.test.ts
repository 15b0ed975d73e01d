// Parsers of what the kernel and nft print back: counters and map elements (nft JSON, and the
// netlink dump bytes), conntrack lines, the flow entries' active/inactive split. Inputs are
// samples captured from nft 1.0.6 and Linux 6.18; random input must never throw.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  countFlows,
  natConnKey,
  parseConntrack,
  parseCounters,
  parseMapEntries,
} from '../../../../src/dataplane/nft/kernel-read.js';
import { parseTables } from '../../../../src/dataplane/nft/reader.js';
import { decodeCounters, decodeMapEntries, decodeTables } from '../../../../src/sys/nft-netlink.js';
import type { NlMessage } from '../../../../src/sys/rtnl-codec.js';

const COUNTERS = `{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"counter": {"family": "netdev", "name": "s_tcp_10_99_0_100_80_p1", "table": "tandem_dr_eth0", "handle": 6, "packets": 18, "bytes": 1185}}, {"counter": {"family": "netdev", "name": "s_tcp_10_99_0_100_80_c1", "table": "tandem_dr_eth0", "handle": 7, "packets": 3, "bytes": 180}}]}`;

const FLOWS = `{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"map": {"family": "netdev", "name": "s_tcp_10_99_0_100_80_flows", "table": "tandem_dr_eth0", "type": ["ipv4_addr", "inet_service"], "handle": 11, "map": "mark", "size": 65536, "flags": ["timeout"], "elem": [[{"elem": {"val": {"concat": ["10.99.0.10", 36170]}, "timeout": 930, "expires": 119}}, 16777217], [{"elem": {"val": {"concat": ["10.99.0.10", 36182]}, "timeout": 900, "expires": 899}}, 2], [{"elem": {"val": {"concat": ["10.99.0.10", 36196]}, "timeout": 900, "expires": 899}}, 2]]}}]}`;

const CONNTRACK = `ipv4     2 tcp      6 119 TIME_WAIT src=10.99.0.10 dst=10.99.0.100 sport=51498 dport=80 src=10.99.0.12 dst=10.99.0.10 sport=80 dport=51498 [ASSURED] mark=0 zone=0 use=2
ipv4     2 tcp      6 431999 ESTABLISHED src=10.99.0.10 dst=10.99.0.100 sport=51478 dport=80 src=10.99.0.11 dst=10.99.0.10 sport=80 dport=51478 [ASSURED] mark=0 zone=0 use=2
ipv4     2 tcp      6 60 SYN_RECV src=10.99.0.10 dst=10.99.0.100 sport=51479 dport=80 src=10.99.0.11 dst=10.99.0.10 sport=80 dport=51479 mark=0 zone=0 use=2
ipv4     2 udp      17 29 src=10.99.0.10 dst=10.99.0.100 sport=5353 dport=53 [UNREPLIED] src=10.99.0.11 dst=10.99.0.10 sport=53 dport=5353 mark=0 zone=0 use=2
ipv4     2 tcp      6 299 ESTABLISHED src=10.99.0.10 dst=10.99.0.1 sport=40000 dport=22 src=10.99.0.1 dst=10.99.0.10 sport=22 dport=40000 [ASSURED] mark=0 zone=0 use=2
ipv6     10 tcp      6 431999 ESTABLISHED src=2001:0db8:0000:0000:0000:0000:0000:000a dst=2001:0db8:0000:0000:0000:0000:0000:0100 sport=40000 dport=80 src=2001:0db8:0000:0000:0000:0000:0000:0011 dst=2001:0db8:0000:0000:0000:0000:0000:000a sport=8080 dport=40000 [ASSURED] mark=0 zone=0 use=2
`;

test('nft JSON: counters by name, map marks, tables', () => {
  assert.deepEqual(
    [...parseCounters(COUNTERS)],
    [
      ['s_tcp_10_99_0_100_80_p1', { packets: 18, bytes: 1185 }],
      ['s_tcp_10_99_0_100_80_c1', { packets: 3, bytes: 180 }],
    ],
  );
  assert.deepEqual(parseMapEntries(FLOWS), {
    marks: [0x01000001, 2, 2],
    expiresMs: [119_000, 899_000, 899_000],
  });
  assert.deepEqual(
    parseTables(
      '{"nftables": [{"metainfo": {}}, {"table": {"family": "inet", "name": "x", "handle": 3}}]}',
    ),
    [{ family: 'inet', name: 'x' }],
  );
});

test('flow entries: tcpfin or less left (FIN seen) is inactive, UDP flows are all inactive', () => {
  const flows = {
    marks: [0x01000001, 2, 0x05000002, 2],
    expiresMs: [119_000, 899_000, -1, 120_001],
  };
  assert.deepEqual(
    [...countFlows(flows, false, 120_000)],
    [
      [1, { active: 0, inactive: 1 }],
      [2, { active: 3, inactive: 0 }],
    ],
  );
  assert.deepEqual(
    [...countFlows({ marks: [2, 2], expiresMs: [899_000, 5_000] }, true, 120_000)],
    [[2, { active: 0, inactive: 2 }]],
  );
});

test('conntrack: NATed connections by service and real server, IPVS active states', () => {
  const c = parseConntrack(CONNTRACK);
  assert.deepEqual(c.get(natConnKey('TCP', '10.99.0.100', 80, '10.99.0.11', 80)), {
    active: 2,
    inactive: 0,
  });
  assert.deepEqual(c.get(natConnKey('TCP', '10.99.0.100', 80, '10.99.0.12', 80)), {
    active: 0,
    inactive: 1,
  });
  assert.deepEqual(c.get(natConnKey('UDP', '10.99.0.100', 53, '10.99.0.11', 53)), {
    active: 0,
    inactive: 1,
  });
  assert.deepEqual(c.get(natConnKey('TCP', '2001:db8::100', 80, '2001:db8::11', 8080)), {
    active: 1,
    inactive: 0,
  });
  assert.equal(c.size, 4, 'the ssh connection to the director itself was not NATed');
});

/** A netlink message built by hand: nfgenmsg then attributes (little-endian host). */
class NlBuilder {
  readonly #parts: number[] = [];
  attr(type: number, value: number[]): this {
    const len = 4 + value.length;
    this.#parts.push(len & 255, len >> 8, type & 255, type >> 8, ...value);
    while (this.#parts.length % 4 !== 0) this.#parts.push(0);
    return this;
  }
  message(family: number): NlMessage {
    return {
      type: 0,
      flags: 0,
      seq: 0,
      pid: 0,
      payload: Uint8Array.from([family, 0, 0, 0, ...this.#parts]),
    };
  }
  bytes(): number[] {
    return [...this.#parts];
  }
}

const cstr = (s: string): number[] => [...Buffer.from(s), 0];
const be64 = (n: number): number[] => [
  0,
  0,
  0,
  0,
  (n >>> 24) & 255,
  (n >>> 16) & 255,
  (n >>> 8) & 255,
  n & 255,
];

test('netlink dumps: counter objects, map element marks, tables', () => {
  const counter = new NlBuilder()
    .attr(1, cstr('tandem_dr_eth0'))
    .attr(2, cstr('s_x_p1'))
    .attr(3, [0, 0, 0, 1])
    .attr(0x8004, new NlBuilder().attr(1, be64(1185)).attr(2, be64(18)).bytes())
    .message(5);
  assert.deepEqual([...decodeCounters([counter])], [['s_x_p1', { packets: 18, bytes: 1185 }]]);
  const elem = (mark: number, expires?: number): number[] => {
    const b = new NlBuilder()
      .attr(0x8001, new NlBuilder().attr(1, [10, 99, 0, 10, 0x8d, 0x4a, 0, 0]).bytes())
      .attr(
        0x8002,
        new NlBuilder()
          .attr(1, [mark & 255, (mark >> 8) & 255, (mark >> 16) & 255, mark >>> 24])
          .bytes(),
      );
    // NFTA_SET_ELEM_TIMEOUT then NFTA_SET_ELEM_EXPIRATION, milliseconds, big-endian.
    return expires === undefined
      ? b.bytes()
      : b.attr(4, be64(930_000)).attr(5, be64(expires)).bytes();
  };
  const list = new NlBuilder()
    .attr(0x8001, elem(2))
    .attr(0x8001, elem(0x01000001, 119_500))
    .bytes();
  const marks = new NlBuilder().attr(1, cstr('t')).attr(2, cstr('f')).attr(0x8003, list).message(5);
  assert.deepEqual(decodeMapEntries([marks]), { marks: [2, 0x01000001], expiresMs: [-1, 119_500] });
  const table = new NlBuilder().attr(1, cstr('tandem_nat')).message(1);
  assert.deepEqual(decodeTables([table]), [{ family: 'inet', name: 'tandem_nat' }]);
});

test('random text and bytes never throw', () => {
  fc.assert(
    fc.property(fc.string(), (s) => {
      parseCounters(s);
      parseMapEntries(s);
      parseConntrack(s);
      parseTables(s);
    }),
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
      const m: NlMessage = { type: 0, flags: 0, seq: 0, pid: 0, payload: b };
      decodeCounters([m]);
      decodeMapEntries([m]);
      decodeTables([m]);
    }),
  );
});
