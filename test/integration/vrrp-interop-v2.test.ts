// tandem and real keepalived 2.2.7 in one cluster, VRRPv2 with PASS authentication over
// multicast on a namespace LAN (lan.ts): tandem as master with a keepalived backup, then the
// reverse. Asserts on what operators see — who holds the VIP, the client's ARP cache after the
// gratuitous ARPs, and both daemons' keepalived-worded log lines.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VrrpInstanceParams } from '../helpers/keepalived.js';
import { requireRoot, requireTool } from '../helpers/tools.js';
import { BACKUP, MASTER, interopCluster, sleep } from '../helpers/vrrp-interop.js';
import { Probe } from '../../bench/failover/probe.js';

test('VRRPv2 PASS multicast: tandem ↔ keepalived', { timeout: 90_000 }, async (t) => {
  if (!requireRoot(t, 'network namespaces and VRRP raw sockets')) return;
  if (!requireTool(t, 'keepalived')) return;
  const cluster = await interopCluster(t);
  const { lan } = cluster;
  const vip = lan.address(100);
  const inst = (priority: number): VrrpInstanceParams => ({
    state: 'BACKUP',
    vrid: 51,
    priority,
    advertInt: 1,
    version: 2,
    authPass: 'tandem',
    vips: [`${vip}/24`],
  });
  const tandem = (host: string, priority: number) => cluster.tandem(host, inst(priority));
  const keepalived = (host: string, priority: number) => cluster.keepalived(host, inst(priority));

  // tandem first, so both run their first master-down interval from about the same moment.
  const t1 = tandem('d1', 150);
  await t1.waitForLog(BACKUP, 5000);
  const k2 = keepalived('d2', 100);

  await t.test('tandem (150) is elected master, keepalived (100) backs it up', async () => {
    await t1.waitForLog(MASTER, 8000);
    await k2.waitForLog(BACKUP, 2000);
    assert.equal(await lan.addressBecomes('d1', vip, true), true);
    assert.equal(await lan.addressBecomes('d2', vip, false), true);
    // keepalived accepts tandem's adverts: it stays backup through several intervals.
    const mark = k2.mark();
    await sleep(2500);
    assert.ok(
      !k2.lines.slice(mark).some((l) => l.text.endsWith('(VI_1) Entering MASTER STATE')),
      k2.logText(),
    );
  });

  await t.test(
    'client reaches the VIP on tandem; clean stop hands over in about Skew_Time',
    async () => {
      const probe = Probe.start(lan, 'client', { target: vip, maxMs: 20_000 });
      t.after(() => probe.stop());
      await probe.waitForOk('d1', 3, 5000);
      assert.equal(lan.neigh('client', vip), lan.host('d1').mac);
      const mark = k2.mark();
      const stoppedAt = Date.now();
      await t1.stop();
      const master = await k2.waitForLog(MASTER, 3000, mark);
      // Priority 0 ⇒ the backup waits only Skew_Time (0.609 s at priority 100), not 3.6 s.
      assert.ok(master.t - stoppedAt < 1500, `takeover after ${master.t - stoppedAt} ms`);
      assert.equal(
        await lan.addressBecomes('d1', vip, false),
        true,
        'tandem removed its VIP on stop',
      );
      await probe.waitForOk('d2', 3, 3000, probe.samples.length);
      assert.equal(lan.neigh('client', vip), lan.host('d2').mac);
    },
  );

  await t.test('tandem comes back at 150 and preempts keepalived', async () => {
    const mark = k2.mark();
    const t1b = tandem('d1', 150);
    await t1b.waitForLog(MASTER, 8000);
    await k2.waitForLog(
      /Master received advert from \S+ with higher priority 150, ours 100/,
      3000,
      mark,
    );
    await k2.waitForLog(BACKUP, 1000, mark);
    assert.equal(await lan.addressBecomes('d2', vip, false), true);
    assert.equal(await lan.addressBecomes('d1', vip, true), true);
    await t1b.stop();
  });
});
