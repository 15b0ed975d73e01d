// tandemadm against a running daemon, driven only from outside: ipvsadm's commands over the
// control socket change the daemon's table (and so what the proxy serves), listings come back in
// ipvsadm 1.31's layout, refusals in its wording and exit codes, and a reload re-applies the file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startTandem } from '../helpers/daemon.js';
import { REPO } from '../helpers/paths.js';
import { curl, startHttpServer } from '../helpers/real-http.js';
import { freePort } from '../helpers/processes.js';

const BIN = join(REPO, 'build', 'src', 'cli', 'main.js');
const run = (args: readonly string[], input?: string) =>
  spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    ...(input === undefined ? {} : { input }),
  });

test('tandemadm -v prints ipvsadm 1.31 version line', () => {
  const r = run(['-v']);
  assert.equal(r.status, 0);
  assert.equal(r.stdout, 'ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n');
});

test('bad arguments get ipvsadm-worded errors without a daemon; no daemon is reported', () => {
  const bad = run(['-A', '-t', '10.0.0.1:80', '-s', 'nosuch']);
  assert.notEqual(bad.status, 0);
  assert.notEqual(bad.stderr, '');
  const dir = mkdtempSync(join(tmpdir(), 'tandemadm-'));
  try {
    const ok = run(['--control', join(dir, 'none.sock'), '-A', '-t', '10.0.0.1:80', '-s', 'rr']);
    assert.equal(ok.status, 2);
    assert.match(ok.stderr, /cannot reach a tandem daemon: no tandem daemon is listening on/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tandemadm drives a running daemon', { timeout: 60_000 }, async (t) => {
  const rs = await startHttpServer('127.0.0.1', 0);
  t.after(() => rs.stop());
  const port = await freePort('127.0.0.61');
  const conf = `
virtual_server 127.0.0.61 ${port} {
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 127.0.0.1 ${rs.port} { weight 2 }
}
`;
  const dir = mkdtempSync(join(tmpdir(), 'tandemadm-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sock = join(dir, 'control.sock');
  const d = startTandem(conf, ['--control', sock]);
  t.after(() => d.stop());
  await d.waitFor((r) => r.msg === 'control socket listening', 5000);
  assert.equal(statSync(sock).mode & 0o777, 0o600);
  const adm = (args: readonly string[], input?: string) => run(['--control', sock, ...args], input);

  const list = adm(['-L', '-n']);
  assert.equal(list.status, 0, list.stderr);
  assert.equal(
    list.stdout,
    [
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port Scheduler Flags',
      '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
      `TCP  127.0.0.61:${port} rr`,
      `  -> 127.0.0.1:${rs.port}              Masq    2      0          0         `,
      '',
    ].join('\n'),
  );

  // A new service and real server at runtime: the proxy serves it at once.
  const port2 = await freePort('127.0.0.62');
  assert.equal(adm(['-A', '-t', `127.0.0.62:${port2}`, '-s', 'wlc']).status, 0);
  const add = adm([
    '-a',
    '-t',
    `127.0.0.62:${port2}`,
    '-r',
    `127.0.0.1:${rs.port}`,
    '-m',
    '-w',
    '3',
  ]);
  assert.equal(add.status, 0, add.stderr);
  await d.waitFor((r) => r.msg === 'listening' && String(r.vs).includes('127.0.0.62'), 5000);
  assert.doesNotMatch(await curl(`http://127.0.0.62:${port2}/`), /^ERR/);

  // Refusals: ipvsadm's wording and exit status 255.
  const again = adm(['-A', '-t', `127.0.0.62:${port2}`]);
  assert.equal(again.status, 255);
  assert.equal(again.stderr, 'Service already exists\n');
  const missing = adm(['-D', '-t', '127.0.0.99:1']);
  assert.equal(missing.status, 255);
  assert.equal(missing.stderr, 'No such service\n');

  // Save, then restore into a cleared table, gives the same rules back.
  const saved = adm(['-S', '-n']);
  assert.equal(saved.status, 0);
  assert.equal(adm(['-C']).status, 0);
  assert.equal(adm(['-L', '-n']).stdout.split('\n').length, 4);
  assert.equal(adm(['-R'], saved.stdout).status, 0);
  assert.equal(adm(['-S', '-n']).stdout, saved.stdout);

  // Garbage and oversized frames on the daemon's control socket: error replies, daemon alive.
  for (let i = 0; i < 200; i++) {
    const junk =
      i % 10 === 0
        ? Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3])
        : randomBytes(1 + Math.floor(Math.random() * 64));
    await new Promise<void>((resolve) => {
      const c = connect(sock);
      c.on('error', () => resolve());
      c.on('close', () => resolve());
      c.on('data', () => undefined);
      c.end(junk);
    });
  }
  assert.equal(adm(['-L', '-n']).status, 0);
  assert.equal(d.proc.exitCode, null);

  // A reload programs the table from the file again: the runtime service goes.
  await d.reload(conf);
  const after = adm(['-L', '-n']).stdout;
  assert.doesNotMatch(after, /127\.0\.0\.62/);
  assert.match(after, /127\.0\.0\.61/);
});
