// `tandem demo --netns --smoke` (root): the seed documents' network in namespaces — real VRRP
// with gratuitous ARP between two director namespaces, LVS-DR to three real servers prepared
// with `tandem realserver`, the tour's curls from a client namespace — run by the demo itself,
// then nothing left: no namespace, process, run file, address or nftables table. Through the
// nftables plane (the default; the real servers see the client) and through the proxy.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { processesMatching, systemSnapshot } from '../helpers/leftovers.js';
import { TANDEM } from '../helpers/paths.js';
import { requireRoot, requireTool } from '../helpers/tools.js';

for (const dataplane of ['nft', 'proxy'] as const) {
  test(
    `tandem demo --netns --dataplane ${dataplane} --smoke: the tour passes, nothing is left`,
    {
      timeout: 180_000,
    },
    async (t) => {
      if (!requireRoot(t, 'network namespaces') || !requireTool(t, 'ip') || !requireTool(t, 'curl'))
        return;
      if (dataplane === 'nft' && !requireTool(t, 'nft')) return;
      const before = systemSnapshot(/^tdemo-/);
      const dir = mkdtempSync(join(tmpdir(), 'tandem-demo-netns-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const runDir = join(dir, 'run');
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [TANDEM, 'demo', '--netns', '--dataplane', dataplane, '--smoke', '--run-dir', runDir],
        { timeout: 150_000, maxBuffer: 16 << 20 },
      ).catch((err: unknown) => {
        throw new Error(`the demo failed:\n${(err as { stdout?: string }).stdout ?? String(err)}`);
      });
      // LVS-DR keeps the client's address; the proxy connects from the director.
      const from = dataplane === 'nft' ? '192\\.168\\.138\\.100' : '192\\.168\\.138\\.1[12]';
      assert.match(stdout, new RegExp(`smoke: 1\\. .*: ok .*requests from ${from}\\)`), stdout);
      for (const n of [1, 2, 3, 4, 5]) {
        assert.match(stdout, new RegExp(`smoke: ${n}\\. .*: ok`), stdout);
      }
      // The seed's failover lines: the backup becomes master and announces the VIP.
      assert.match(stdout, /b \| \(VI_1\) Entering MASTER STATE/);
      assert.match(stdout, /b \| \(VI_1\) setting VIPs\./);
      assert.match(
        stdout,
        /b \| \(VI_1\) Sending\/queueing gratuitous ARPs on eth0 for 192\.168\.138\.200/,
      );
      assert.match(stdout, /b \| \(VI_1\) Entering BACKUP STATE/);
      assert.match(stdout, /demo: stopped; nothing it started is left\n/);
      assert.equal(existsSync(runDir), false, 'the run directory is removed');
      assert.deepEqual(processesMatching(runDir), []);
      assert.deepEqual(
        systemSnapshot(/^tdemo-/),
        before,
        'namespaces, addresses and nft tables as before',
      );
    },
  );
}
