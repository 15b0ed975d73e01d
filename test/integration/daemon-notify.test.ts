// A running daemon's notifications end to end: VRRP transitions run notify_master / notify_stop
// and the generic notify with keepalived's arguments, in order, and write keepalived's lines to
// vrrp_notify_fifo — from the VRRP thread's events, through the daemon's one notification path.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { spawnChild, stopChild } from '../helpers/processes.js';
import { startTandem } from '../helpers/daemon.js';
import { freePort, freeUdpPort } from '../helpers/processes.js';

test('VRRP notify scripts and notify FIFO of a running daemon', { timeout: 30_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-notify-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'calls.txt');
  const rec = join(dir, 'rec.sh');
  writeFileSync(rec, `#!/bin/sh\necho "$*" >> ${out}\n`);
  chmodSync(rec, 0o755);
  const fifo = join(dir, 'vrrp.fifo');
  const port = await freeUdpPort('127.0.0.71');
  // An SMTP server that is down: mails fail and are retried, and nothing waits for them.
  const smtpPort = await freePort('127.0.0.1');
  const conf = `
global_defs {
  router_id notify-test
  vrrp_notify_fifo ${fifo}
  notification_email { ops@example.org }
  notification_email_from tandem@example.org
  smtp_server 127.0.0.1 ${smtpPort}
  smtp_connect_timeout 1
}
vrrp_instance VI_N {
  state BACKUP
  virtual_router_id 71
  priority 150
  version 3
  advert_int 0.1
  vrrp_transport udp
  vrrp_udp_port ${port}
  vip_mode listener
  unicast_src_ip 127.0.0.71
  unicast_peer { 127.0.0.72 }
  virtual_ipaddress { 127.0.0.70 }
  notify_master "${rec} master-script"
  notify_stop "${rec} stop-script"
  notify ${rec}
  smtp_alert
}
`;
  const d = startTandem(conf, [], 'vrrp');
  t.after(() => d.stop());
  const init = await d.waitFor((r) => r.msg === '(VI_N) Entering BACKUP STATE (init)', 5000);
  const master = await d.waitFor((r) => r.msg === '(VI_N) Entering MASTER STATE', 5000);
  // Master_Down_Interval at priority 150, advert_int 0.1: 341 ms; the failing mail of the BACKUP
  // transition (smtp_connect_timeout 1 s) does not hold it back. The bound leaves room for a
  // loaded CI machine and stays below the mail's timeout.
  const took = Number(master.time) - Number(init.time);
  assert.ok(took < 900, `MASTER ${took} ms after BACKUP`);
  await d.waitFor((r) => r.msg === `SMTP connection ERROR to [127.0.0.1]:${smtpPort}.`, 5000);
  // The FIFO exists once the daemon made it; read what it holds.
  for (let i = 0; i < 50 && !existsSync(fifo); i++) await sleep(50);
  const reader = spawnChild('cat', [fifo]);
  t.after(() => stopChild(reader, 0, 'SIGKILL'));
  await sleep(300);
  await d.stop();
  // The stop scripts are child processes: wait for their lines (bounded), not a fixed time.
  const read = (): string[] =>
    existsSync(out) ? readFileSync(out, 'utf8').trim().split('\n') : [];
  for (let i = 0; i < 100 && read().length < 5; i++) await sleep(50);
  await sleep(100);
  const calls = read();
  assert.deepEqual(calls, [
    'INSTANCE VI_N BACKUP 150',
    'master-script',
    'INSTANCE VI_N MASTER 150',
    'stop-script',
    'INSTANCE VI_N STOP 150',
  ]);
  const lines = reader.output().trim().split('\n');
  assert.deepEqual(lines.slice(0, 2), ['INSTANCE "VI_N" BACKUP 150', 'INSTANCE "VI_N" MASTER 150']);
});
