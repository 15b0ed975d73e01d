import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  expireText,
  glibcSort,
  largeNumber,
  ntop,
  renderDaemons,
  renderList,
  renderVersion,
  sortDests,
  sortServices,
} from '../../../../src/ipvs/render/index.js';
import { dest, fwm, svc, table } from '../../../helpers/snapshot.js';

test('largeNumber: band edges as print_largenum has them', () => {
  assert.equal(largeNumber(0, false), '        0');
  assert.equal(largeNumber(99_999_999, false), ' 99999999');
  assert.equal(largeNumber(100_000_000, false), '  100000K');
  assert.equal(largeNumber(999_999_999, false), '  999999K');
  assert.equal(largeNumber(1_000_000_000, false), '    1000M');
  assert.equal(largeNumber(99_999_999_999, false), '   99999M');
  assert.equal(largeNumber(100_000_000_000, false), '     100G');
  assert.equal(largeNumber(99_999_999_999_999, false), '   99999G');
  assert.equal(largeNumber(100_000_000_000_000, false), '     100T');
  assert.equal(largeNumber(12_345_678, true), ' 12345678');
  assert.equal(largeNumber(123_456_789, true), ' 123456789');
});

test('ntop prints IPv6 as glibc inet_ntop does', () => {
  assert.equal(ntop('2001:0db8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
  assert.equal(ntop('::'), '::');
  assert.equal(ntop('::1'), '::1');
  assert.equal(ntop('1::'), '1::');
  assert.equal(ntop('2001:db8:0:1:0:0:0:1'), '2001:db8:0:1::1');
  assert.equal(ntop('2001:0:0:1:0:0:0:1'), '2001:0:0:1::1');
  assert.equal(ntop('1:0:1:0:1:0:1:0'), '1:0:1:0:1:0:1:0');
  assert.equal(ntop('::ffff:c000:201'), '::ffff:192.0.2.1');
  assert.equal(ntop('::c000:201'), '::192.0.2.1');
  assert.equal(ntop('10.0.0.1'), '10.0.0.1');
});

test('expireText: whole seconds, minutes beyond 99, negative as 00:00', () => {
  assert.equal(expireText(59_999), '00:59');
  assert.equal(expireText(900_000), '15:00');
  assert.equal(expireText(6_000_000), '100:00');
  assert.equal(expireText(-1), '00:00');
});

test('sorting keeps libipvs int wrap-around: 192.168.x.x lists before 10.x.x.x', () => {
  const dests = sortDests([dest('10.0.0.1', 80), dest('192.168.1.1', 80), dest('10.0.0.1', 79)]);
  assert.deepEqual(
    dests.map((d) => `${d.address}:${d.port}`),
    ['192.168.1.1:80', '10.0.0.1:79', '10.0.0.1:80'],
  );
});

test('sorting: fwmarks above 2^31 list before address services', () => {
  const services = sortServices([
    fwm(5, 'inet'),
    svc('TCP', '1.1.1.1', 80),
    fwm(0xc0000000, 'inet'),
  ]);
  assert.deepEqual(
    services.map((s) => s.fwmark),
    [0xc0000000, 0, 5],
  );
});

test('glibcSort: stable merge sort, left run first on ties', () => {
  const items = [3, 1, 2, 1, 3].map((v, i) => ({ v, i }));
  const sorted = glibcSort(items, (a, b) => a.v - b.v);
  assert.deepEqual(
    sorted.map((x) => x.i),
    [1, 3, 2, 0, 4],
  );
});

test('glibcSort follows the merge order for a non-transitive comparator', () => {
  // 10.x < 100.x < 200.x pairwise by distance, but 200.x < 10.x after wrap-around: a cycle.
  const dests = [dest('200.0.0.1', 1), dest('10.0.0.1', 1), dest('100.0.0.1', 1)];
  // msort: [200] | [10, 100] → [10, 100]; merge(200 vs 10: 200 first (wrap)), then 10, 100.
  assert.deepEqual(
    sortDests(dests).map((d) => d.address),
    ['200.0.0.1', '10.0.0.1', '100.0.0.1'],
  );
});

test('an empty table prints the header and titles only', () => {
  assert.equal(
    renderList(table([])),
    'IP Virtual Server version 1.2.1 (size=4096)\n' +
      'Prot LocalAddress:Port Scheduler Flags\n' +
      '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n',
  );
});

test('renderDaemons: -L --daemon lines, master first', () => {
  assert.equal(
    renderDaemons([
      { state: 'backup', mcastInterface: 'eth1', syncId: 3 },
      {
        state: 'master',
        mcastInterface: 'eth0',
        syncId: 0,
        syncMaxlen: 1472,
        mcastGroup: '224.0.0.81',
        mcastPort: 8848,
        mcastTtl: 1,
      },
    ]),
    'master sync daemon (mcast=eth0, syncid=0, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)\n' +
      'backup sync daemon (mcast=eth1, syncid=3)\n',
  );
  assert.equal(renderDaemons([]), '');
});

test('renderVersion: ipvsadm -v', () => {
  assert.equal(renderVersion(), 'ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n');
});
