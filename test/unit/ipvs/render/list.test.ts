import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  renderConnections,
  renderList,
  renderSave,
  renderServiceListing,
  renderTimeouts,
} from '../../../../src/ipvs/render/index.js';
import type { ListOptions } from '../../../../src/ipvs/render/index.js';
import type { TableSnapshot } from '../../../../src/ipvs/snapshot.js';
import { assertGolden } from '../../../helpers/golden.js';
import {
  LARGENUM_TABLE,
  MIXED_TABLE,
  MORE_CONNS,
  SEED_MYCAT_STATS_TABLE,
  SEED_MYCAT_TABLE,
  SEED_NGINX_TABLE,
  SPEC_CONNS,
  SPEC_STATS_TABLE,
  SPEC_TABLE,
} from '../../../fixtures/ipvsadm/tables.js';

const listCases: readonly [string, TableSnapshot, ListOptions, string][] = [
  ['-L -n (§6.4 example)', SPEC_TABLE, {}, 'spec-list.txt'],
  ['-L -n --nosort keeps the kernel order', SPEC_TABLE, { nosort: true }, 'spec-nosort.txt'],
  ['-L -n --thresholds', SPEC_TABLE, { thresholds: true }, 'spec-thresholds.txt'],
  ['-L -n --persistent-conn', SPEC_TABLE, { persistentConn: true }, 'spec-persistent-conn.txt'],
  ['-L -n --tun-info', SPEC_TABLE, { tunInfo: true }, 'spec-tun-info.txt'],
  ['-L -n --stats (§6.4 example)', SPEC_STATS_TABLE, { stats: true }, 'spec-stats.txt'],
  ['-L -n --stats --exact', SPEC_STATS_TABLE, { stats: true, exact: true }, 'spec-stats-exact.txt'],
  ['-L -n --rate (§6.4 example)', SPEC_STATS_TABLE, { rate: true }, 'spec-rate.txt'],
  [
    '--stats wins over --rate and --thresholds',
    SPEC_STATS_TABLE,
    { rate: true, stats: true, thresholds: true },
    'spec-stats.txt',
  ],
  ['largenum bands in --stats', LARGENUM_TABLE, { stats: true }, 'largenum-stats.txt'],
  [
    'largenum bands in --stats --exact',
    LARGENUM_TABLE,
    { stats: true, exact: true },
    'largenum-stats-exact.txt',
  ],
  ['largenum bands in --rate', LARGENUM_TABLE, { rate: true }, 'largenum-rate.txt'],
  [
    'largenum bands in --rate --exact',
    LARGENUM_TABLE,
    { rate: true, exact: true },
    'largenum-rate-exact.txt',
  ],
  ['IPv6, fwmark, SCTP, flags, masks, pe', MIXED_TABLE, {}, 'mixed-list.txt'],
  ['tunnel column forms', MIXED_TABLE, { tunInfo: true }, 'mixed-tun-info.txt'],
  ['IPv6 and fwmark names in --stats', MIXED_TABLE, { stats: true }, 'mixed-stats.txt'],
  ['seed 001: ipvsadm -ln (Mycat)', SEED_MYCAT_TABLE, {}, 'seed-mycat-ln.txt'],
  ['seed 001: --stats', SEED_MYCAT_STATS_TABLE, { stats: true }, 'seed-mycat-stats.txt'],
  ['seed 001: --rate', SEED_MYCAT_STATS_TABLE, { rate: true }, 'seed-mycat-rate.txt'],
  ['seed 000: two real servers, numeric', SEED_NGINX_TABLE, {}, 'seed-nginx-ln.txt'],
];

for (const [name, table, options, golden] of listCases) {
  test(`renderList: ${name}`, () => {
    assertGolden(renderList(table, options), `test/fixtures/ipvsadm/${golden}`);
  });
}

test('renderSave: -S -n (§6.4 example)', () => {
  assertGolden(renderSave(SPEC_TABLE), 'test/fixtures/ipvsadm/spec-save.txt');
});

test('renderSave: IPv6, fwmark -6, SCTP, tunnels, pe, sched flags', () => {
  assertGolden(renderSave(MIXED_TABLE), 'test/fixtures/ipvsadm/mixed-save.txt');
});

test('renderServiceListing: titles and one service, no version header', () => {
  const r = renderServiceListing(SPEC_TABLE, {
    kind: 'address',
    protocol: 'TCP',
    family: 'inet',
    address: '192.168.0.10',
    port: 443,
  });
  assert.equal(r.ok, true);
  assertGolden(r.text, 'test/fixtures/ipvsadm/spec-service-443.txt');
});

test('renderServiceListing: fwmark service with --stats', () => {
  const r = renderServiceListing(
    SPEC_TABLE,
    { kind: 'fwmark', family: 'inet', fwmark: 1 },
    { stats: true },
  );
  assert.equal(r.ok, true);
  assertGolden(r.text, 'test/fixtures/ipvsadm/spec-service-fwm1-stats.txt');
});

test('renderServiceListing: an unknown service is "No such service"', () => {
  const wrongProto = renderServiceListing(SPEC_TABLE, {
    kind: 'address',
    protocol: 'UDP',
    family: 'inet',
    address: '192.168.0.10',
    port: 80,
  });
  assert.deepEqual(wrongProto, { ok: false, error: 'No such service' });
  const wrongFamily = renderServiceListing(SPEC_TABLE, {
    kind: 'fwmark',
    family: 'inet6',
    fwmark: 1,
  });
  assert.deepEqual(wrongFamily, { ok: false, error: 'No such service' });
});

test('renderServiceListing matches IPv6 addresses whatever their spelling', () => {
  const r = renderServiceListing(MIXED_TABLE, {
    kind: 'address',
    protocol: 'TCP',
    family: 'inet6',
    address: '2001:0db8:0:0:0:0:0:0010',
    port: 80,
  });
  assert.equal(r.ok, true);
});

test('renderConnections: -L -n -c (§6.4 example)', () => {
  assertGolden(renderConnections(SPEC_CONNS), 'test/fixtures/ipvsadm/spec-conns.txt');
});

test('renderConnections: templates, IPv6, long and expired timers', () => {
  assertGolden(renderConnections(MORE_CONNS), 'test/fixtures/ipvsadm/conns-more.txt');
});

test('renderConnections --persistent-conn: wide rows only for pe entries', () => {
  assertGolden(
    renderConnections(MORE_CONNS, { persistentConn: true }),
    'test/fixtures/ipvsadm/conns-more-pe.txt',
  );
});

test('renderConnections: an empty table prints the titles only', () => {
  assertGolden(renderConnections([]), 'test/fixtures/ipvsadm/conns-empty.txt');
});

test('renderTimeouts: -L --timeout', () => {
  assertGolden(
    renderTimeouts({ tcp: 900, tcpfin: 120, udp: 300 }),
    'test/fixtures/ipvsadm/timeout.txt',
  );
});
