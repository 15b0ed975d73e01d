// The seed runbook (seed 000's test section) in the netns form: the seed documents' network in
// namespaces (test/helpers/seed-topology.ts: a client, two directors, two nginx real servers
// prepared with `tandem realserver start`), both directors running the seed's own keepalived.conf
// (test/fixtures/runbook/seed000.conf with this network's addresses, real VRRP on eth0, port 80)
// over the nftables data plane (LVS-DR), and the document's steps checked on tandem's outputs:
//   1. a 10-request curl loop from the client spreads 5/5 over the two real servers;
//   2. `ipvsadm` on the master (`tandemadm -L -n`) lists both as the document shows them: Route,
//      weight 1, 0 active and 5 inactive connections (the plane reads the kernel's flow maps);
//   3. `nginx -s stop` on one: the master logs the failed check, the removal and the SMTP error
//      (nothing listens on the configured SMTP server), and traffic goes to the other only;
//   4. the master's keepalived stopped: the backup logs Entering MASTER STATE, setting VIPs and
//      the gratuitous ARPs for the VIP, and the VIP keeps answering;
//   5. the master started again: the backup logs the higher-priority advert, Entering BACKUP
//      STATE and removing VIPs.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { FIXTURES, REPO } from '../helpers/paths.js';
import { requireNftPlane } from '../helpers/seed-directors.js';
import { createSeedTopology, type SeedTopology } from '../helpers/seed-topology.js';
import { TandemNode } from '../helpers/tandem-node.js';
import { requireRoot, requireTool } from '../helpers/tools.js';

const TANDEMADM = join(REPO, 'build', 'src', 'cli', 'main.js');

/** The fixture's loopback mapping undone: this network's addresses, eth0, VRRP as keepalived. */
function seedConf(topo: SeedTopology, smtp: string): string {
  const [rs1, rs2] = topo.realServers;
  return readFileSync(join(FIXTURES, 'runbook', 'seed000.conf'), 'utf8')
    .split('\n')
    .filter((l) => !/vrrp_transport|vip_mode|unicast_(src_ip|peer)/.test(l))
    .join('\n')
    .replaceAll('127.0.38.200', topo.vip)
    .replaceAll('127.0.38.3', rs1!.ip)
    .replaceAll('127.0.38.4', rs2!.ip)
    .replaceAll('127.0.38.10 10025', `${smtp} 25`)
    .replaceAll(' 8080', ' 80')
    .replace(/^(\s+)interface lo$/m, `$1interface ${topo.frontIf}`);
}

function esc(text: string): string {
  return text.replace(/[[\].()]/g, '\\$&');
}

function director(t: TestContext, topo: SeedTopology, host: 'd1' | 'd2', conf: string) {
  const node = TandemNode.start(topo.lan, host, conf, 'all', {
    dataplane: 'nft',
    args: ['-i', host === 'd1' ? 'master' : 'backup'],
  });
  t.after(() => node.stop());
  return node;
}

function tally(bodies: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const b of bodies) out[b.trim()] = (out[b.trim()] ?? 0) + 1;
  return out;
}

test(
  "the seed runbook in namespaces: LVS-DR over nftables, real VRRP, the document's steps",
  {
    timeout: 180_000,
  },
  async (t) => {
    if (!requireRoot(t, 'network namespaces, VRRP, nftables')) return;
    for (const tool of ['nft', 'curl', 'nginx']) if (!requireTool(t, tool)) return;
    if (!requireNftPlane(t)) return;
    const topo = await createSeedTopology(t, { kind: 'DR', realServers: 2, web: 'nginx' });
    const smtp = topo.lan.address(10);
    const conf = seedConf(topo, smtp);
    const [rs1, rs2] = topo.realServers as [
      SeedTopology['realServers'][number],
      SeedTopology['realServers'][number],
    ];

    let master = director(t, topo, 'd1', conf);
    await master.waitForLog(/^\(VI_1\) Entering MASTER STATE$/, 15_000);
    // Wait on the log, not with a probe request: it would count in the listing of step 2.
    await master.waitForLog(/^nft update$/, 15_000);
    await master.waitForLog(/^\(VI_1\) Sending\/queueing gratuitous ARPs on eth0/, 15_000);
    const backup = director(t, topo, 'd2', conf);
    await backup.waitForLog(/^\(VI_1\) Entering BACKUP STATE/, 15_000);

    await t.test('1. a 10-request curl loop spreads 5/5', async () => {
      const bodies = await topo.getMany(10);
      const counts = tally(bodies);
      assert.deepEqual(Object.values(counts).sort(), [5, 5], JSON.stringify(counts));
      assert.deepEqual(Object.keys(counts).sort(), [rs1.body.trim(), rs2.body.trim()].sort());
    });

    await t.test(
      '2. ipvsadm on the master lists both as the seed shows them: Route 1 0 5',
      async () => {
        const list = async (...extra: string[]): Promise<string> =>
          (
            await promisify(execFile)(process.execPath, [
              TANDEMADM,
              '--control',
              join(master.dir, 'control.sock'),
              '-L',
              '-n',
              ...extra,
            ])
          ).stdout;
        // The nftables plane reads the kernel's flow maps and counters back every second.
        const row = (rs: { ip: string }): RegExp =>
          new RegExp(`-> ${esc(rs.ip)}:80\\s+Route\\s+1\\s+(\\d+)\\s+(\\d+)`);
        // [ActiveConn, InActConn]: the seed's listing shows 0 and 5 for each.
        const conns = (text: string, rs: { ip: string }): number[] => {
          const m = row(rs).exec(text);
          return m === null ? [] : [Number(m[1]), Number(m[2])];
        };
        const done = (text: string): boolean =>
          [rs1, rs2].every((rs) => conns(text, rs).join(' ') === '0 5');
        let stdout = '';
        for (let i = 0; i < 30; i++) {
          stdout = await list();
          if (done(stdout)) break;
          await new Promise((r) => setTimeout(r, 200));
        }
        assert.match(stdout, new RegExp(`^TCP  ${esc(topo.vip)}:80 rr`, 'm'), stdout);
        for (const rs of [rs1, rs2]) assert.deepEqual(conns(stdout, rs), [0, 5], stdout);
        const stats = await list('--stats');
        for (const rs of [rs1, rs2]) {
          assert.match(stats, new RegExp(`-> ${esc(rs.ip)}:80\\s+5\\s`), stats);
        }
      },
    );

    await t.test(
      '3. nginx -s stop on one real server: removed, mailed, traffic to the other',
      async () => {
        const from = master.mark();
        await rs1.stopWeb();
        const service = `\\[${esc(rs1.ip)}\\]:tcp:80`;
        await master.waitForLog(
          new RegExp(`^TCP_CHECK on service ${service} failed after 3 retries\\.$`),
          20_000,
          from,
        );
        await master.waitForLog(
          new RegExp(`^Removing service ${service} from VS \\[${esc(topo.vip)}\\]:tcp:80$`),
          5000,
          from,
        );
        await master.waitForLog(
          new RegExp(`^SMTP connection ERROR to \\[${esc(smtp)}\\]:25\\.$`),
          20_000,
          from,
        );
        assert.deepEqual(tally(await topo.getMany(10)), { [rs2.body.trim()]: 10 });
      },
    );

    await t.test(
      '4. the master stopped: the backup takes the VIP with gratuitous ARPs',
      async () => {
        const from = backup.mark();
        await master.stop();
        await backup.waitForLog(/^\(VI_1\) Entering MASTER STATE$/, 10_000, from);
        await backup.waitForLog(/^\(VI_1\) setting VIPs\.$/, 5000, from);
        await backup.waitForLog(
          new RegExp(`^\\(VI_1\\) Sending/queueing gratuitous ARPs on eth0 for ${esc(topo.vip)}$`),
          5000,
          from,
        );
        let body = 'ERR';
        for (let i = 0; i < 50 && body.startsWith('ERR'); i++) {
          body = await topo.get();
          if (body.startsWith('ERR')) await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(body.trim(), rs2.body.trim());
      },
    );

    await t.test('5. the master started again: the backup returns to BACKUP', async () => {
      const from = backup.mark();
      master = director(t, topo, 'd1', conf);
      await backup.waitForLog(
        new RegExp(
          `^\\(VI_1\\) Master received advert from ${esc(topo.lan.host('d1').ip)} with higher priority 100, ours 80$`,
        ),
        15_000,
        from,
      );
      await backup.waitForLog(/^\(VI_1\) Entering BACKUP STATE$/, 5000, from);
      await backup.waitForLog(/^\(VI_1\) removing VIPs\.$/, 5000, from);
      await master.waitForLog(/^\(VI_1\) Entering MASTER STATE$/, 5000);
      let body = 'ERR';
      for (let i = 0; i < 50 && body.startsWith('ERR'); i++) {
        body = await topo.get();
        if (body.startsWith('ERR')) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(body.trim(), rs2.body.trim());
    });
  },
);
