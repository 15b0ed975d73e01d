// The baseline tandem's VRRP speaker must match: two real keepalived 2.2.7 directors (VRRPv2,
// PASS, multicast) on a namespace LAN with a client. Proves the harness (LAN, keepalived runner,
// probe) and records keepalived's own behaviour: election, takeover after SIGKILL within
// Master_Down_Interval (3 × 1 s + skew 0.609 s for priority 100, keepalived.md §2.3), GARP moving
// the client's ARP entry, and the split brain a firewall dropping protocol 112 causes (§5.1).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stopChild } from '../helpers/processes.js';
import { Keepalived, keepalivedConf } from '../helpers/keepalived.js';
import { createLan } from '../helpers/lan.js';
import { startHttpEcho } from '../helpers/lan-http.js';
import { requireRoot, requireTool } from '../helpers/tools.js';
import { Probe, longestGap } from '../../bench/failover/probe.js';

test('keepalived ↔ keepalived on a namespace LAN', { timeout: 60_000 }, async (t) => {
  if (!requireRoot(t, 'network namespaces and VRRP raw sockets')) return;
  if (!requireTool(t, 'keepalived') || !requireTool(t, 'nft')) return;

  const lan = createLan(t, { hosts: ['d1', 'd2', 'client'] });
  lan.arpAccept('client');
  const vip = lan.address(100);
  const [d1, d2] = [lan.host('d1'), lan.host('d2')];
  for (const h of ['d1', 'd2']) {
    const server = await startHttpEcho(lan, h);
    t.after(() => stopChild(server));
  }
  const started: Keepalived[] = [];
  t.after(async () => {
    for (const k of started) await k.kill();
  });
  const start = (host: string, priority: number): Keepalived => {
    const conf = keepalivedConf(host, [
      {
        state: priority > 100 ? 'MASTER' : 'BACKUP',
        vrid: 51,
        priority,
        advertInt: 1,
        version: 2,
        authPass: 'tandem',
        vips: [`${vip}/24`],
      },
    ]);
    const k = Keepalived.start(lan, host, conf);
    started.push(k);
    return k;
  };

  await t.test('keepalived -t accepts every form the config builder writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-ka-t-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'keepalived.conf');
    const unicast = { unicastSrcIp: d1.ip, unicastPeers: [d2.ip], nopreempt: true };
    writeFileSync(
      path,
      keepalivedConf('d1', [
        { state: 'BACKUP', vrid: 9, priority: 90, advertInt: 0.1, version: 3, vips: [vip] },
        {
          name: 'VI_2',
          state: 'BACKUP',
          vrid: 10,
          priority: 90,
          advertInt: 1,
          ...unicast,
          vips: [`${lan.address(101)}/24`],
        },
      ]),
    );
    const r = await lan.run('d1', ['keepalived', '-t', '-f', path]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  let k1 = start('d1', 150);
  const k2 = start('d2', 100);

  await t.test('the higher priority becomes MASTER and holds the VIP', async () => {
    await k1.waitForLog(/\(VI_1\) Entering MASTER STATE/, 6000);
    await k2.waitForLog(/\(VI_1\) Entering BACKUP STATE \(init\)/, 2000);
    assert.equal(await lan.addressBecomes('d1', vip, true), true);
    assert.equal(await lan.addressBecomes('d2', vip, false), true);
  });

  await t.test('SIGKILL of the master: the backup takes over and the client follows', async () => {
    const probe = Probe.start(lan, 'client', { target: vip, maxMs: 15_000 });
    t.after(() => probe.stop());
    await probe.waitForOk('d1', 3, 3000);
    assert.equal(lan.neigh('client', vip), d1.mac);

    const mark = k2.mark();
    const killedAt = Date.now();
    await k1.kill();
    const master = await k2.waitForLog(/\(VI_1\) Entering MASTER STATE/, 6000, mark);
    // Master_Down_Interval for priority 100 is 3.609 s, counted from d1's last advert.
    assert.ok(master.t - killedAt < 4500, `takeover after ${master.t - killedAt} ms`);
    assert.equal(await lan.addressBecomes('d2', vip, true), true);
    // SIGKILL sends no priority-0 advert and leaves d1's VIP in place (keepalived #2361): only
    // d2's gratuitous ARP moves the client.
    assert.equal(await lan.addressBecomes('d1', vip, true), true);
    await probe.waitForOk('d2', 3, 3000, probe.samples.length);
    assert.equal(lan.neigh('client', vip), d2.mac);
    const gap = longestGap(await probe.stop());
    assert.ok(gap.gapMs < 5000, `client-visible gap ${gap.gapMs} ms`);
  });

  await t.test('VRRP firewalled on the backup: split brain, healed on unblock', async () => {
    // d1 comes back (its startup removes the stale VIP) and preempts d2.
    const mark2 = k2.mark();
    k1 = start('d1', 150);
    await k2.waitForLog(/\(VI_1\) Entering BACKUP STATE/, 6000, mark2);
    await k1.waitForLog(/\(VI_1\) Entering MASTER STATE/, 1000);
    assert.equal(await lan.addressBecomes('d2', vip, false), true);

    const mark3 = k2.mark();
    const mark1 = k1.mark();
    lan.blockVrrp('d2');
    await k2.waitForLog(/\(VI_1\) Entering MASTER STATE/, 6000, mark3);
    assert.equal(await lan.addressBecomes('d1', vip, true), true);
    assert.equal(await lan.addressBecomes('d2', vip, true), true);
    // d1 still hears d2 and answers its lower-priority adverts, which d2 cannot see.
    await k1.waitForLog(/Received advert from \S+ with lower priority 100, ours 150/, 2000, mark1);

    const mark4 = k2.mark();
    lan.unblockVrrp('d2');
    await k2.waitForLog(
      /Master received advert from \S+ with higher priority 150, ours 100/,
      3000,
      mark4,
    );
    await k2.waitForLog(/\(VI_1\) Entering BACKUP STATE/, 1000, mark4);
    assert.equal(await lan.addressBecomes('d2', vip, false), true);
    assert.equal(await lan.addressBecomes('d1', vip, true), true);
  });
});
