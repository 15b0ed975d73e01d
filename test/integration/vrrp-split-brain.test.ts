// Split brain as operators meet it (keepalived.md §5.1): a firewall on one director drops VRRP
// (IP protocol 112), its Master_Down timer runs out and both directors hold the VIP. keepalived
// cannot tell; tandem's ARP probes of its own VIP (split-brain.ts) must: a warning naming the
// other MAC and an active episode in the status. Letting VRRP through again (the documented fix)
// makes the lower priority yield, and the episode ends in the log and the status.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VrrpInstanceParams } from '../helpers/keepalived.js';
import type { TandemNode } from '../helpers/tandem-node.js';
import { requireRoot, requireTool } from '../helpers/tools.js';
import { BACKUP, interopCluster, MASTER } from '../helpers/vrrp-interop.js';

interface SplitBrainStatus {
  readonly active: readonly { vip: string; otherMacs: readonly string[] }[];
  readonly episodes: number;
}

async function splitBrain(node: TandemNode): Promise<SplitBrainStatus> {
  const s = await node.status();
  return (s.vrrp as { splitBrain: SplitBrainStatus }).splitBrain;
}

for (const peer of ['keepalived', 'tandem'] as const) {
  test(
    `split brain between tandem (150) and ${peer} (100) is detected and ends`,
    {
      timeout: 45_000,
    },
    async (t) => {
      if (!requireRoot(t, 'network namespaces, nftables and VRRP raw sockets')) return;
      if (!requireTool(t, 'keepalived') || !requireTool(t, 'nft')) return;
      const cluster = await interopCluster(t);
      const { lan } = cluster;
      const vip = lan.address(100);
      const inst = (priority: number): VrrpInstanceParams => ({
        state: 'BACKUP',
        vrid: 54,
        priority,
        advertInt: 1,
        version: 2,
        authPass: 'tandem',
        vips: [`${vip}/24`],
      });
      const t1 = cluster.tandem('d1', inst(150));
      await t1.waitForLog(BACKUP, 5000);
      const n2 = cluster[peer]('d2', inst(100));
      await t1.waitForLog(MASTER, 8000);
      await n2.waitForLog(BACKUP, 2000);
      t.after(() => {
        try {
          lan.unblockVrrp('d2');
        } catch {
          // already unblocked
        }
      });

      await t.test('d2 stops hearing VRRP: both master, tandem warns', async () => {
        const mark = t1.mark();
        lan.blockVrrp('d2');
        const both = await n2.waitForLog(MASTER, 6000);
        assert.equal(lan.hasAddress('d1', vip), true);
        assert.equal(lan.hasAddress('d2', vip), true);
        const mac2 = lan.host('d2').mac;
        const warn = await t1.waitForLog(
          new RegExp(
            `\\(VI_1\\) split brain: VIP ${vip.replaceAll('.', '\\.')} is also answered by ${mac2}`,
          ),
          8000,
          mark,
        );
        assert.equal(warn.record?.level, 40, 'logged at warn');
        t.diagnostic(`detected ${warn.t - both.t} ms after both became master`);
        const sb = await splitBrain(t1);
        assert.equal(sb.episodes, 1);
        assert.equal(sb.active.length, 1);
        assert.equal(sb.active[0]?.vip, vip);
        assert.deepEqual(sb.active[0]?.otherMacs, [mac2]);
        if (peer === 'tandem') {
          // The other tandem sees the same episode from its side (its own probe rounds).
          await n2.waitForLog(/\(VI_1\) split brain: VIP /, 8000);
          const sb2 = await splitBrain(n2 as TandemNode);
          assert.deepEqual(sb2.active[0]?.otherMacs, [lan.host('d1').mac]);
        }
      });

      await t.test('VRRP let through again: d2 yields, the episode ends', async () => {
        const mark1 = t1.mark();
        const mark2 = n2.mark();
        lan.unblockVrrp('d2');
        const yielded = await n2.waitForLog(BACKUP, 4000, mark2);
        assert.equal(lan.hasAddress('d2', vip), false);
        const over = await t1.waitForLog(
          /\(VI_1\) split brain over: only this director answers for /,
          8000,
          mark1,
        );
        t.diagnostic(`episode over ${over.t - yielded.t} ms after ${peer} yielded`);
        assert.equal(lan.hasAddress('d1', vip), true);
        const sb = await splitBrain(t1);
        assert.equal(sb.active.length, 0);
        assert.equal(sb.episodes, 1);
        if (peer === 'tandem') {
          await n2.waitForLog(
            /\(VI_1\) split brain over: this director no longer holds /,
            4000,
            mark2,
          );
          assert.equal((await splitBrain(n2 as TandemNode)).active.length, 0);
        }
      });
    },
  );
}
