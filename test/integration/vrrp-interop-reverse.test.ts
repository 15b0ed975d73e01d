// keepalived 2.2.7 as master and tandem as its backup, VRRPv3 over multicast: the master crashes
// (SIGKILL and its cable pulled, as bench/failover does) and tandem takes the VIP after
// Master_Down_Interval, announces it with gratuitous ARP and serves the client; keepalived comes
// back with `nopreempt` and leaves tandem master, then without it and preempts tandem.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VrrpInstanceParams } from '../helpers/keepalived.js';
import { requireRoot, requireTool } from '../helpers/tools.js';
import { BACKUP, interopCluster, logged, MASTER, sleep } from '../helpers/vrrp-interop.js';
import { longestGap, Probe } from '../../bench/failover/probe.js';

for (const advertInt of [1, 0.1]) {
  test(
    `VRRPv3 multicast, advert_int ${advertInt}: keepalived master crashes, tandem takes over`,
    {
      timeout: 60_000,
    },
    async (t) => {
      if (!requireRoot(t, 'network namespaces and VRRP raw sockets')) return;
      if (!requireTool(t, 'keepalived')) return;
      const { lan, tandem, keepalived } = await interopCluster(t);
      const vip = lan.address(100);
      const inst = (priority: number, extra: Partial<VrrpInstanceParams> = {}) => ({
        state: 'BACKUP' as const,
        vrid: 52,
        priority,
        advertInt,
        version: 3 as const,
        vips: [`${vip}/24`],
        ...extra,
      });
      const intervalMs = advertInt * 1000;
      // RFC 5798 §6.1: 3 × Master_Adver_Interval + Skew_Time, (256 − 100) / 256 of an interval.
      const mdiMs = 3 * intervalMs + ((256 - 100) * intervalMs) / 256;

      const k1 = keepalived('d1', inst(150));
      await k1.waitForLog(MASTER, 8000);
      const t2 = tandem('d2', inst(100));
      await t2.waitForLog(BACKUP, 5000);
      await sleep(5 * intervalMs);
      assert.equal(logged(t2, MASTER), false, t2.logText());
      assert.equal(await lan.addressBecomes('d1', vip, true), true);
      assert.equal(await lan.addressBecomes('d2', vip, false), true);

      const probe = Probe.start(lan, 'client', { target: vip, maxMs: 50_000 });
      t.after(() => probe.stop());
      await probe.waitForOk('d1', 3, 5000);
      assert.equal(lan.neigh('client', vip), lan.host('d1').mac);

      await t.test('crash: tandem takes the VIP after Master_Down_Interval', async () => {
        const mark = t2.mark();
        const crashedAt = Date.now();
        await k1.kill();
        lan.unplug('d1');
        const master = await t2.waitForLog(MASTER, mdiMs + 3000, mark);
        const took = master.t - crashedAt;
        t.diagnostic(`takeover ${took} ms after the crash (MDI ${mdiMs.toFixed(0)} ms)`);
        assert.ok(took >= mdiMs - 1.5 * intervalMs && took < mdiMs + 1000, `took ${took} ms`);
        assert.equal(await lan.addressBecomes('d2', vip, true), true);
        const from = probe.samples.length;
        await probe.waitForOk('d2', 3, 3000, from);
        // The client never asked: its entry moved to d2 on tandem's gratuitous ARP.
        assert.equal(lan.neigh('client', vip), lan.host('d2').mac);
        const gap = longestGap(probe.samples);
        t.diagnostic(`client gap ${gap.gapMs.toFixed(0)} ms`);
      });

      // The crashed machine comes back clean (its kernel lost the VIP with the reboot).
      lan.runSync('d1', ['ip', 'addr', 'del', `${vip}/24`, 'dev', 'eth0']);
      lan.plug('d1');

      await t.test('keepalived back at 150 with nopreempt leaves tandem master', async () => {
        const mark = t2.mark();
        const k1b = keepalived('d1', inst(150, { nopreempt: true }));
        await k1b.waitForLog(BACKUP, 5000);
        await sleep(Math.max(5 * intervalMs, 1500) + mdiMs);
        assert.equal(logged(k1b, MASTER), false, k1b.logText());
        assert.equal(logged(t2, BACKUP, mark), false, t2.logText());
        assert.equal(await lan.addressBecomes('d2', vip, true), true);
        assert.equal(await lan.addressBecomes('d1', vip, false), true);
        await k1b.stop();
      });

      await t.test('keepalived back at 150 preempts tandem', async () => {
        const mark = t2.mark();
        const k1c = keepalived('d1', inst(150));
        await k1c.waitForLog(MASTER, mdiMs + 5000);
        await t2.waitForLog(
          /\(VI_1\) Master received advert from \S+ with higher priority 150, ours 100/,
          3000,
          mark,
        );
        await t2.waitForLog(BACKUP, 1000, mark);
        assert.equal(await lan.addressBecomes('d2', vip, false), true);
        assert.equal(await lan.addressBecomes('d1', vip, true), true);
        await probe.waitForOk('d1', 3, 3000, probe.samples.length);
      });
    },
  );
}
