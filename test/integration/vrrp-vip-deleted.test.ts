// A VIP deleted behind the master's back (`ip addr del` by an operator or another tool): as
// keepalived 2.x does unless the address says `no_track`, tandem notices it through its netlink
// monitor, sends priority 0 and goes BACKUP, so the keepalived backup takes over at once; being
// the higher priority, tandem then preempts and adds the address again.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BACKUP, MASTER, interopCluster } from '../helpers/vrrp-interop.js';
import { requireRoot, requireTool } from '../helpers/tools.js';

test(
  'VIP deleted on a tandem master: handover, then preemption re-adds it',
  { timeout: 60_000 },
  async (t) => {
    if (!requireRoot(t, 'network namespaces and VRRP raw sockets')) return;
    if (!requireTool(t, 'keepalived')) return;
    const { lan, tandem, keepalived } = await interopCluster(t);
    const vip = lan.address(100);
    const inst = (priority: number) => ({
      state: 'BACKUP' as const,
      vrid: 61,
      priority,
      advertInt: 1,
      version: 2 as const,
      vips: [`${vip}/24`],
    });
    const t1 = tandem('d1', inst(150));
    await t1.waitForLog(BACKUP, 5000);
    const k2 = keepalived('d2', inst(100));
    await t1.waitForLog(MASTER, 8000);
    await k2.waitForLog(BACKUP, 3000);
    assert.equal(lan.hasAddress('d1', vip), true);

    const mk = k2.mark();
    const mt = t1.mark();
    lan.runSync('d1', ['ip', 'addr', 'del', `${vip}/24`, 'dev', 'eth0']);
    await t1.waitForLog(
      new RegExp(`Netlink reflector reports IP ${vip.replace(/\./g, '\\.')} removed from eth0`),
      3000,
      mt,
    );
    await t1.waitForLog(BACKUP, 1000, mt);
    // Priority 0: keepalived takes over after Skew_Time, not a master-down interval.
    await k2.waitForLog(/\(VI_1\) Backup received priority 0 advertisement/, 2000, mk);
    await k2.waitForLog(MASTER, 2000, mk);
    assert.equal(lan.hasAddress('d2', vip), true);
    // tandem (150) discards keepalived's lower-priority adverts and preempts, re-adding the VIP.
    await t1.waitForLog(MASTER, 6000, mt);
    await k2.waitForLog(BACKUP, 3000, mk);
    assert.equal(lan.hasAddress('d1', vip), true);
    assert.equal(lan.hasAddress('d2', vip), false);
  },
);
