// The seed runbook (seed 000, "第四步：测试", its test section), replayed step by step on tandem in
// the unprivileged form: both directors run the seed's own keepalived.conf
// (test/fixtures/runbook/seed000.conf, mapped onto loopback, VRRP over UDP, the VIP held as
// proxy listeners), two nginx real servers with different pages, and the document's commands:
//   1. a 10-request curl loop spreads 5/5 over the two real servers;
//   2. `ipvsadm` on the master (here `tandemadm -L -n`) lists both, weight 1, 0 active and 5
//      inactive connections each;
//   3. `nginx -s stop` on one real server: the master logs that the check failed, removes the
//      service, tries to mail the alert to the configured SMTP server and logs its connection
//      error (nothing listens there, as in the document); traffic goes only to the other one;
//   4. `service keepalived stop` on the master: the backup logs Entering MASTER STATE and takes
//      the VIP, and the VIP keeps answering. keepalived 2.x logs no "Transition to MASTER STATE"
//      (a 1.x line, reference §2.10), and in listener mode there is no LAN to send gratuitous ARPs
//      to: the equivalent is "(VI_1) setting VIPs." and the proxy's listening record on the VIP;
//   5. `service keepalived start` on the master again: the backup logs the higher-priority advert
//      and Entering BACKUP STATE and gives the VIP back ("(VI_1) removing VIPs.", its listener
//      closed), and the VIP still answers.
// keepalived 1.2's "TCP connection to [..]:80 failed !!!" is "TCP_CHECK on service [..] failed
// after 3 retries." in keepalived 2.x and tandem.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { LogLines } from '../helpers/log-lines.js';
import { nginxBody, startNginx, type Nginx } from '../helpers/nginx.js';
import { FIXTURES, REPO, TANDEM } from '../helpers/paths.js';
import { spawnChild, stopChild, type Child } from '../helpers/processes.js';
import { curl, tally } from '../helpers/real-http.js';
import { requireTool } from '../helpers/tools.js';

const CONF = join(FIXTURES, 'runbook', 'seed000.conf');
const TANDEMADM = join(REPO, 'build', 'src', 'cli', 'main.js');
const VIP = '127.0.38.200';
const PORT = 8080;
const RS = [
  { address: '127.0.38.3', port: PORT },
  { address: '127.0.38.4', port: PORT },
] as const;

interface Director {
  readonly child: Child;
  readonly log: LogLines;
  readonly control: string;
}

function startDirector(t: TestContext, dir: string, id: 'master' | 'backup'): Director {
  const control = join(dir, `${id}.sock`);
  // keepalived -D, as the seed's KEEPALIVED_OPTIONS: the detail lines (setting VIPs …) too.
  const child = spawnChild(process.execPath, [
    TANDEM,
    '-n',
    '-D',
    '-f',
    CONF,
    '-i',
    id,
    '--dataplane',
    'proxy',
    '--control',
    control,
    '--admin',
    'off',
  ]);
  t.after(() => stopChild(child));
  return { child, log: new LogLines(id, child, true), control };
}

/** The seed's test.sh: ten curls of the VIP (without its `sleep 1`). */
async function curlLoop(): Promise<Record<string, number>> {
  const bodies: string[] = [];
  for (let i = 0; i < 10; i++) bodies.push(await curl(`http://${VIP}:${PORT}/`));
  return tally(bodies);
}

const body = (i: 0 | 1): string => nginxBody(RS[i]).trim();

test(
  'the seed runbook, unprivileged: balance, ipvsadm, a real server down, failover and back',
  {
    timeout: 120_000,
  },
  async (t) => {
    if (!requireTool(t, 'nginx') || !requireTool(t, 'curl')) return;
    const dir = mkdtempSync(join(tmpdir(), 'tandem-runbook-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const nginx: Nginx[] = [];
    for (const rs of RS) nginx.push(await startNginx({ listeners: [rs] }));
    t.after(() => Promise.all(nginx.map((n) => n.stop())));

    // `service keepalived start` on both directors, the master first.
    let master = startDirector(t, dir, 'master');
    await master.log.waitFor(/^\(VI_1\) Entering MASTER STATE$/, 10_000);
    // Wait on the log, not with a probe connection: it would count in the listing of step 2.
    const open = await master.log.waitFor(/^listening$/, 10_000);
    assert.equal(open.record?.address, VIP);
    const backup = startDirector(t, dir, 'backup');
    await backup.log.waitFor(/^\(VI_1\) Entering BACKUP STATE/, 10_000);

    await t.test('1. a 10-request curl loop spreads 5/5', async () => {
      assert.deepEqual(await curlLoop(), { [body(0)]: 5, [body(1)]: 5 });
    });

    await t.test("2. ipvsadm on the master lists both, each 'Route 1 0 5'", async () => {
      const { stdout } = await promisify(execFile)(process.execPath, [
        TANDEMADM,
        '--control',
        master.control,
        '-L',
        '-n',
      ]);
      const lines = stdout.trimEnd().split('\n');
      assert.deepEqual(lines.slice(0, 4), [
        'IP Virtual Server version 1.2.1 (size=4096)',
        'Prot LocalAddress:Port Scheduler Flags',
        '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
        `TCP  ${VIP}:${PORT} rr`,
      ]);
      const dests = lines.slice(4).map((l) => l.trim().split(/\s+/));
      assert.deepEqual(dests, [
        ['->', `${RS[0].address}:${PORT}`, 'Route', '1', '0', '5'],
        ['->', `${RS[1].address}:${PORT}`, 'Route', '1', '0', '5'],
      ]);
    });

    await t.test(
      '3. nginx -s stop on one real server: removed, mailed, traffic to the other',
      async () => {
        const from = master.log.mark();
        await nginx[0]!.stop();
        const rs = `[${RS[0].address}]:tcp:${PORT}`;
        await master.log.waitFor(
          new RegExp(
            `^TCP_CHECK on service ${rs.replace(/[[\].]/g, '\\$&')} failed after 3 retries\\.$`,
          ),
          15_000,
          from,
        );
        await master.log.waitFor(
          new RegExp(
            `^Removing service ${rs.replace(/[[\].]/g, '\\$&')} from VS \\[${VIP.replaceAll('.', '\\.')}\\]:tcp:${PORT}$`,
          ),
          5000,
          from,
        );
        await master.log.waitFor(
          /^SMTP connection ERROR to \[127\.0\.38\.10\]:10025\.$/,
          10_000,
          from,
        );
        assert.deepEqual(await curlLoop(), { [body(1)]: 10 });
      },
    );

    await t.test('4. service keepalived stop on the master: the backup takes over', async () => {
      const from = backup.log.mark();
      await stopChild(master.child);
      await backup.log.waitFor(/^\(VI_1\) Entering MASTER STATE$/, 5000, from);
      await backup.log.waitFor(/^\(VI_1\) setting VIPs\.$/, 5000, from);
      const listening = await backup.log.waitFor(/^listening$/, 5000, from);
      assert.equal(listening.record?.address, VIP);
      assert.equal(await curl(`http://${VIP}:${PORT}/`), body(1));
    });

    await t.test(
      '5. service keepalived start on the master: the backup returns to BACKUP',
      async () => {
        const from = backup.log.mark();
        master = startDirector(t, dir, 'master');
        await backup.log.waitFor(
          /^\(VI_1\) Master received advert from 127\.0\.38\.11 with higher priority 100, ours 80$/,
          10_000,
          from,
        );
        await backup.log.waitFor(/^\(VI_1\) Entering BACKUP STATE$/, 5000, from);
        await backup.log.waitFor(/^\(VI_1\) removing VIPs\.$/, 5000, from);
        await master.log.waitFor(/^\(VI_1\) Entering MASTER STATE$/, 5000);
        const open = await master.log.waitFor(/^listening$/, 5000);
        assert.equal(open.record?.address, VIP);
        assert.equal(await curl(`http://${VIP}:${PORT}/`), body(1));
      },
    );
  },
);
