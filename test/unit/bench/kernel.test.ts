// The pure parts of bench/kernel and its test helpers: /proc parsing, the CPU charged to a
// director (process time, or the machine's kernel time over the direct row), the targets, the
// seed directors' keepalived.conf and the hand-written nftables rules.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { machineDelta, parsePidStat, parseProcStat } from '../../../bench/kernel/cpu.js';
import type { Load, RowRun } from '../../../bench/kernel/measure.js';
import { directorCpu, targets, type RowResult } from '../../../bench/kernel/report.js';
import type { WrkResult } from '../../../bench/proxy/wrk.js';
import { checkerBoundMs, handRuleset, seedDirectorConf } from '../../helpers/seed-directors.js';
import type { SeedTopology } from '../../helpers/seed-topology.js';

test('parseProcStat reads the aggregate cpu line; machineDelta splits busy and kernel seconds', () => {
  const a = parseProcStat(
    'cpu  100 5 200 1000 10 3 40 0 0 0\ncpu0 50 2 100 500 5 1 20 0 0 0\nintr 123\n',
  );
  assert.deepEqual(a, {
    user: 100,
    nice: 5,
    system: 200,
    idle: 1000,
    iowait: 10,
    irq: 3,
    softirq: 40,
    steal: 0,
  });
  const b = { ...a, user: 150, system: 260, softirq: 100, idle: 1100 };
  // busy: 50 user + 60 system + 60 softirq = 170 ticks; kernel: 120 ticks (USER_HZ 100).
  assert.deepEqual(machineDelta(a, b), { busyS: 1.7, kernelS: 1.2 });
});

test('parsePidStat adds utime and stime, even when the command name has spaces and parentheses', () => {
  const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
  // Field n is at index n - 3 after the name: utime (14) = 14, stime (15) = 15.
  assert.equal(parsePidStat(`1234 (tandem (x) y) ${fields.join(' ')}`), 29);
  assert.equal(parsePidStat(''), 0);
});

const wrk = (requestsPerSec: number, requests: number): WrkResult => ({
  requestsPerSec,
  bytesPerSec: 0,
  requests,
  p50Ms: 1,
  p99Ms: 2,
  errors: 0,
  raw: '',
});
const load = (rps: number, busyS: number, kernelS: number, processS?: number): Load => ({
  wrk: wrk(rps, rps * 5),
  machine: { busyS, kernelS },
  processS,
});
const run = (ka: Load, close: Load): RowRun => ({ keepAlive: ka, close });

test('director CPU: process time for userspace rows, kernel time over direct for kernel rows', () => {
  // 50,000 requests per 5 s run at 10k/s.
  const direct: RowResult = {
    name: 'direct',
    runs: [run(load(10_000, 5, 2), load(10_000, 5, 2))],
  };
  const haproxy: RowResult = {
    name: 'haproxy',
    runs: [run(load(5_000, 5, 3, 1), load(5_000, 5, 3, 2))],
  };
  const dr: RowResult = {
    name: 'nft-dr',
    runs: [run(load(10_000, 5, 2.5), load(10_000, 5, 3))],
  };
  // haproxy: 2 s / 25,000 requests → 800 ms per 10k.
  assert.equal(directorCpu(haproxy, direct, 'close').median, 800);
  // nft-dr: (3 − 2) s / 50,000 requests → 200 ms per 10k.
  assert.equal(directorCpu(dr, direct, 'close').median, 200);
  assert.equal(directorCpu(dr, direct, 'keepAlive').median, 100);
  assert.ok(Number.isNaN(directorCpu(direct, direct, 'close').median));
  const lines = targets([direct, dr, haproxy], 'nft-dr');
  assert.deepEqual(lines, [
    'new conn/s ≥ 0.9× direct: 1.00× → PASS',
    'new conn/s ≥ 1.4× HAProxy: 2.00× → PASS',
    'keep-alive req/s ≥ 1.6× HAProxy: 2.00× → PASS',
    "director CPU per 10k new conns ≤ 0.2× HAProxy's: 0.25× → FAIL",
    "director CPU per 10k keep-alive reqs ≤ 0.2× HAProxy's: 0.25× → FAIL",
  ]);
  assert.match(targets([direct, haproxy], 'tandem-dr')[0]!, /not measured/);
});

/** Only what the conf and rule builders read. */
function fakeTopology(kind: 'DR' | 'NAT'): SeedTopology {
  const rs = (n: number) => ({ host: `rs${n}`, ip: `10.1.${kind === 'DR' ? 0 : 1}.${n + 3}` });
  return {
    kind,
    vip: '10.1.0.100',
    port: 80,
    gateway: kind === 'NAT' ? '10.1.1.254' : undefined,
    frontIf: 'eth0',
    backIf: kind === 'NAT' ? 'eth1' : undefined,
    realServers: [rs(1), rs(2)],
  } as unknown as SeedTopology;
}

test('seedDirectorConf: VIP instance, NAT gateway in a sync group, lb_kind and checkers', () => {
  const dr = seedDirectorConf(fakeTopology('DR'), { director: 'd2' });
  assert.match(dr, /vrrp_instance VI_1 \{\n {2}state BACKUP\n {2}interface eth0\n/);
  assert.match(dr, /priority 100/);
  assert.doesNotMatch(dr, /vrrp_sync_group|VI_2/);
  assert.match(
    dr,
    /virtual_server 10\.1\.0\.100 80 \{\n {2}delay_loop 1\n {2}lb_algo rr\n {2}lb_kind DR\n/,
  );
  assert.equal(dr.match(/HTTP_GET \{/g)?.length, 2);
  const nat = seedDirectorConf(fakeTopology('NAT'), { director: 'd1', checker: 'TCP_CHECK' });
  assert.match(nat, /vrrp_sync_group VG_1 \{\n {2}group \{\n {4}VI_1\n {4}VI_2\n/);
  assert.match(nat, /vrrp_instance VI_2 \{\n {2}state MASTER\n {2}interface eth1\n/);
  assert.match(nat, /10\.1\.1\.254\/24/);
  assert.match(nat, /lb_kind NAT/);
  assert.match(
    nat,
    /real_server 10\.1\.1\.4 80 \{\n {4}weight 1\n {4}TCP_CHECK \{\n {6}connect_port 80\n/,
  );
  const bare = seedDirectorConf(fakeTopology('DR'), {
    director: 'd1',
    vrrp: false,
    checker: 'none',
  });
  assert.doesNotMatch(bare, /vrrp_instance|HTTP_GET|TCP_CHECK/);
  // 1 s delay_loop + 0.1 s jitter + 2 refused attempts + 1 s pause + 1 s for the plane.
  assert.equal(Math.round(checkerBoundMs({})), 3300);
});

test('handRuleset: netdev fwd with a flow hash for DR, conntrack DNAT in turn for NAT', () => {
  assert.equal(
    handRuleset(fakeTopology('DR')),
    [
      'table netdev tandemhand {',
      '  chain ingress {',
      '    type filter hook ingress device eth0 priority 0; policy accept;',
      '    ip daddr 10.1.0.100 tcp dport 80 counter fwd ip to jhash ip saddr . tcp sport mod 2 map { 0 : 10.1.0.4, 1 : 10.1.0.5 } device eth0',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  assert.match(
    handRuleset(fakeTopology('NAT')),
    /type nat hook prerouting priority dstnat;[^\n]*\n {4}ip daddr 10\.1\.0\.100 tcp dport 80 counter dnat to numgen inc mod 2 map \{ 0 : 10\.1\.1\.4, 1 : 10\.1\.1\.5 \}/,
  );
});
