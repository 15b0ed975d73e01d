// The pure parts of the VRRP harness and the failover bench: the keepalived.conf builder, the
// tcpdump line parser, advert jitter statistics, the client-visible gap, wrk's summary and the
// tandem/keepalived gap ratios.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jitterStats, parseTcpdumpLine } from '../../../bench/failover/jitter.js';
import { parseWrk } from '../../../bench/failover/load.js';
import { longestGap, type ProbeSample } from '../../../bench/failover/probe.js';
import { gapRatios, median, type ScenarioResult } from '../../../bench/failover/report.js';
import { vrrpInstanceConf } from '../../helpers/keepalived.js';

test('vrrpInstanceConf writes the keywords keepalived.conf(5) expects', () => {
  const text = vrrpInstanceConf({
    state: 'BACKUP',
    vrid: 9,
    priority: 90,
    advertInt: 0.1,
    version: 3,
    unicastSrcIp: '10.0.0.1',
    unicastPeers: ['10.0.0.2'],
    nopreempt: true,
    vips: ['10.0.0.100/24'],
  });
  const lines = text.split('\n').map((l) => l.trim());
  assert.equal(lines[0], 'vrrp_instance VI_1 {');
  for (const want of [
    'state BACKUP',
    'interface eth0',
    'virtual_router_id 9',
    'priority 90',
    'advert_int 0.1',
    'version 3',
    'unicast_src_ip 10.0.0.1',
    'nopreempt',
    '10.0.0.100/24',
  ]) {
    assert.ok(lines.includes(want), `missing ${want}`);
  }
  assert.ok(!lines.includes('auth_type PASS'));
  const v2 = vrrpInstanceConf({
    state: 'MASTER',
    vrid: 1,
    priority: 150,
    advertInt: 1,
    authPass: 'x',
    vips: [],
  });
  assert.match(v2, /authentication \{\n\s+auth_type PASS\n\s+auth_pass x\n\s+\}/);
});

test('parseTcpdumpLine reads v2, v3 and IPv6 adverts and skips the rest', () => {
  const v2 = parseTcpdumpLine(
    '1795770047.000000001 IP 10.1.2.1 > 224.0.0.18: VRRPv2, Advertisement, vrid 51, prio 150, authtype simple, intvl 1s, length 20',
  );
  assert.deepEqual(v2, {
    tNs: 1_795_770_047_000_000_001n,
    src: '10.1.2.1',
    version: 2,
    vrid: 51,
    priority: 150,
  });
  const v6 = parseTcpdumpLine(
    '1795770047.765450027 IP6 fe80::1 > ff02::12: VRRPv3, Advertisement, vrid 53, prio 0, intvl 10cs, length 40',
  );
  assert.equal(v6?.src, 'fe80::1');
  assert.equal(v6?.priority, 0);
  assert.equal(parseTcpdumpLine('listening on eth0, link-type EN10MB (Ethernet)'), undefined);
});

test('jitterStats measures deviation from the nominal interval for one sender', () => {
  const at = (ms: number, src = '10.0.0.1') => ({
    tNs: BigInt(Math.round(ms * 1e6)),
    src,
    version: 3,
    vrid: 51,
    priority: 150,
  });
  const adverts = [at(0), at(100), at(205), at(300), at(50, '10.0.0.2'), at(400)];
  const s = jitterStats(adverts, 100, { src: '10.0.0.1' });
  assert.equal(s.intervals, 4);
  assert.equal(s.meanIntervalMs, 100);
  assert.equal(s.maxMs, 5);
  assert.equal(s.p50Ms, 0);
});

test('longestGap is the longest time between two successful completions', () => {
  const ok = (t: number, host = 'd1'): ProbeSample => ({ t, ok: true, host, ms: 1 });
  const bad = (t: number): ProbeSample => ({ t, ok: false, ms: 50, err: 'connect-timeout' });
  const gap = longestGap([ok(0), ok(10), bad(20), bad(30), bad(40), ok(50, 'd2'), ok(60, 'd2')]);
  assert.equal(gap.gapMs, 40);
  assert.equal(gap.from, 11);
  assert.equal(gap.to, 51);
  assert.equal(gap.failures, 3);
  assert.ok(Number.isNaN(longestGap([bad(0)]).gapMs));
});

test('parseWrk reads requests, duration, rate and errors from wrk 4 output', () => {
  const text = [
    'Running 12s test @ http://10.1.2.100:80/',
    '  2 threads and 64 connections',
    '  Thread Stats   Avg      Stdev     Max   +/- Stdev',
    '    Latency     2.81ms    1.02ms  30.11ms   90.00%',
    '  281234 requests in 12.01s, 30.04MB read',
    '  Socket errors: connect 0, read 3, write 0, timeout 2',
    '  Non-2xx or 3xx responses: 5',
    'Requests/sec:  23416.82',
    'Transfer/sec:      2.50MB',
  ].join('\n');
  assert.deepEqual(parseWrk(text), {
    requests: 281234,
    seconds: 12.01,
    requestsPerSec: 23416.82,
    errors: 10,
  });
  const ms = parseWrk('  12 requests in 900.50ms, 1KB read\nRequests/sec:     13.33\n');
  assert.equal(ms?.seconds, 0.9005);
  assert.equal(ms?.errors, 0);
  assert.equal(parseWrk('unable to connect to 10.1.2.100:80 Connection refused'), undefined);
});

test('gapRatios divides tandem by keepalived per scenario; a missing side gives NaN', () => {
  const run = (gapMs: number) => ({ gapMs, takeoverMs: gapMs, failures: 0 });
  const results: ScenarioResult[] = [
    { scenario: 'a', pair: 'tandem/tandem', runs: [run(100), run(300), run(200)] },
    { scenario: 'a', pair: 'keepalived/keepalived', runs: [run(400), run(400), run(500)] },
    { scenario: 'b', pair: 'keepalived/keepalived', runs: [run(10)] },
  ];
  assert.deepEqual(gapRatios(results), [
    { scenario: 'a', median: 0.5, max: 0.6 },
    { scenario: 'b', median: NaN, max: NaN },
  ]);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});
