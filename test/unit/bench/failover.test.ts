// The pure parts of the VRRP harness and the failover bench: the keepalived.conf builder, the
// tcpdump line parser, advert jitter statistics and the client-visible gap.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jitterStats, parseTcpdumpLine } from '../../../bench/failover/jitter.js';
import { longestGap, type ProbeSample } from '../../../bench/failover/probe.js';
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
