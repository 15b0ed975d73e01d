// The daemon's command line from outside, on the built binary: the pid file (written, a second
// daemon refused, removed at stop), keepalived's log format, the SIGUSR2 stats file and the
// SIGRTMIN+2 JSON dump of a running VRRP instance (UDP transport on 127.0.0.x, no root), --signum,
// and `tandem realserver` in a network namespace of its own.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startTandem } from '../helpers/daemon.js';
import { addNamespace, deleteNamespace, ip, onProcessExit, runPrefix } from '../helpers/netns.js';
import { TANDEM } from '../helpers/paths.js';
import { freePort, freeUdpPort } from '../helpers/processes.js';
import { requireRoot } from '../helpers/tools.js';

const run = (args: readonly string[]) =>
  spawnSync(process.execPath, [TANDEM, ...args], { encoding: 'utf8', timeout: 10_000 });

function tempDir(t: { after: (fn: () => void) => void }): string {
  const d = mkdtempSync(join(tmpdir(), 'tandem-cli-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function lvsConf(): Promise<string> {
  const port = await freePort('127.0.0.41');
  return `virtual_server 127.0.0.41 ${port} {\n  lb_algo rr\n  protocol TCP\n  real_server 127.0.0.1 9 { weight 1 }\n}\n`;
}

test('pid file: written at start, a second daemon refused while the first lives, removed at stop', async (t) => {
  const pidfile = join(tempDir(t), 'tandem.pid');
  const conf = await lvsConf();
  const first = startTandem(conf, ['-p', pidfile]);
  t.after(() => first.stop());
  await first.waitFor((r) => r.msg === 'started');
  assert.equal(readFileSync(pidfile, 'utf8'), `${first.proc.pid}\n`);

  const second = run(['-n', '-C', '-f', first.confPath, '-p', pidfile]);
  assert.equal(second.status, 1);
  assert.equal(second.stderr, `tandem: tandem is already running (pid ${first.proc.pid})\n`);
  assert.equal(readFileSync(pidfile, 'utf8'), `${first.proc.pid}\n`, 'the file is untouched');

  assert.equal(await first.stop(), 0);
  assert.equal(existsSync(pidfile), false);
});

test('a stale pid file (no such process) is replaced', async (t) => {
  const pidfile = join(tempDir(t), 'tandem.pid');
  writeFileSync(pidfile, '4194305\n');
  const d = startTandem(await lvsConf(), ['-p', pidfile]);
  t.after(() => d.stop());
  await d.waitFor((r) => r.msg === 'started');
  assert.equal(readFileSync(pidfile, 'utf8'), `${d.proc.pid}\n`);
});

test("--log-format keepalived: stdout carries keepalived's console lines", async (t) => {
  const d = startTandem(await lvsConf(), ['--log-format', 'keepalived']);
  t.after(() => d.stop());
  const line = await d.waitFor((r) => r.msg.endsWith(': started'));
  assert.match(
    line.msg,
    /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}: started$/,
  );
  assert.ok(
    d.records.every((r) => r.level === 0),
    'no JSON records on stdout',
  );
});

test('SIGUSR2 writes the stats file, SIGRTMIN+2 the JSON dump, of a running VRRP instance', async (t) => {
  const vrrpPort = await freeUdpPort('127.0.0.42');
  const conf = `
vrrp_instance VI_1 {
  state BACKUP
  virtual_router_id 61
  priority 150
  version 3
  advert_int 0.1
  vrrp_transport udp
  vrrp_udp_port ${vrrpPort}
  vip_mode listener
  unicast_src_ip 127.0.0.42
  unicast_peer { 127.0.0.43 }
  virtual_ipaddress { 127.0.0.44 }
}
`;
  const d = startTandem(conf, [], 'vrrp');
  t.after(() => d.stop());
  await d.waitFor((r) => r.msg === '(VI_1) Entering MASTER STATE');
  // A few adverts out, so Sent is not 0.
  await new Promise((r) => setTimeout(r, 350));
  const from = d.records.length;
  d.proc.kill('SIGUSR2');
  const w = await d.waitFor((r) => d.records.indexOf(r) >= from && r.msg === 'stats written');
  assert.match(String(w.path), /tandem\.stats$/);
  const text = readFileSync(String(w.path), 'utf8');
  const m =
    /^VRRP Instance: VI_1\n {2}Advertisements:\n {4}Received: 0\n {4}Sent: (\d+)\n {2}Became master: 1\n {2}Released master: 0\n {2}Packet Errors:\n {4}Length: 0\n/.exec(
      text,
    );
  assert.ok(m !== null, text);
  assert.ok(Number(m[1]) >= 2, text);
  assert.match(text, / {2}Priority Zero:\n {4}Received: 0\n {4}Sent: 0\n$/);

  const signum = Number(run(['--signum=JSON']).stdout.trim());
  assert.equal(signum, 36);
  process.kill(d.proc.pid ?? 0, signum);
  const j = await d.waitFor((r) => r.msg === 'json written');
  assert.match(String(j.path), /tandem\.json$/);
  const status = JSON.parse(readFileSync(String(j.path), 'utf8')) as {
    vrrp: { instances: { name: string; state: string }[] };
  };
  assert.deepEqual(
    status.vrrp.instances.map((i) => [i.name, i.state]),
    [['VI_1', 'MASTER']],
  );
  assert.equal(d.proc.exitCode, null, 'the real-time signal did not kill the daemon');
});

test('--signum prints keepalived numbers; an unknown name is an error', () => {
  const nums = ['DATA', 'STATS', 'JSON', 'RELOAD', 'STOP'].map(
    (n) => run([`--signum=${n}`]).stdout,
  );
  assert.deepEqual(nums, ['10\n', '12\n', '36\n', '1\n', '15\n']);
  const bad = run(['--signum=NOPE']);
  assert.equal(bad.status, 1);
  assert.equal(bad.stderr, 'Unknown sigfunc NOPE\n');
});

test('-t --dataplane nft reports what the nft data plane cannot program, at its place', (t) => {
  const conf = join(tempDir(t), 'keepalived.conf');
  writeFileSync(
    conf,
    'virtual_server fwmark 5 {\n  lb_kind DR\n  real_server 10.0.1.1 80 { weight 1 }\n}\n',
  );
  const proxy = run(['-t', '-f', conf]);
  assert.equal(proxy.status, 0, proxy.stderr);
  const nft = run(['-t', '--dataplane', 'nft', '-f', conf]);
  assert.equal(nft.status, 1);
  assert.match(
    nft.stderr,
    /keepalived\.conf:1:1: error: fwmark virtual servers cannot be programmed by the nft data plane \[CFG_DATAPLANE_UNSUPPORTED\]/,
  );
});

test('tandem realserver in a namespace: VIP on lo, ARP sysctls, idempotent, dry run, stop restores', (t) => {
  if (!requireRoot(t, 'network namespace, addresses and sysctls')) return;
  const ns = `${runPrefix()}rs`;
  addNamespace(ns);
  const forget = onProcessExit(() => deleteNamespace(ns));
  t.after(() => {
    forget();
    deleteNamespace(ns);
  });
  const state = join(tempDir(t), 'realserver.json');
  const inNs = (argv: readonly string[]) =>
    spawnSync('ip', ['netns', 'exec', ns, ...argv], { encoding: 'utf8', timeout: 10_000 });
  const rs = (...args: string[]) =>
    inNs([process.execPath, TANDEM, 'realserver', ...args, '--state', state]);
  const sysctl = (name: string): string =>
    inNs(['cat', `/proc/sys/net/ipv4/conf/${name}`]).stdout.trim();
  const snapshot = () => ({
    addrs: ip(['-n', ns, '-o', 'addr', 'show', 'dev', 'lo']),
    values: ['lo/arp_ignore', 'lo/arp_announce', 'all/arp_ignore', 'all/arp_announce'].map(sysctl),
  });
  // A host value that is not the kernel default, to see stop restore it rather than zero it.
  inNs(['sh', '-c', 'echo 1 > /proc/sys/net/ipv4/conf/all/arp_announce']);
  const before = snapshot();
  assert.deepEqual(before.values, ['0', '0', '0', '1']);

  const dry = rs('start', '--vip', '10.200.0.7', '--dry-run');
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /^would add 10\.200\.0\.7\/32 to lo \(label lo:0\)$/m);
  assert.match(dry.stdout, /^would set net\.ipv4\.conf\.all\.arp_announce 1 -> 2$/m);
  assert.deepEqual(snapshot(), before);
  assert.equal(existsSync(state), false);

  const start = rs('start', '--vip', '10.200.0.7');
  assert.equal(start.status, 0, start.stderr);
  const after = snapshot();
  assert.match(after.addrs, /inet 10\.200\.0\.7\/32 .*lo:0/);
  assert.deepEqual(after.values, ['1', '2', '1', '2']);

  const again = rs('start', '--vip', '10.200.0.7');
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout, 'tandem realserver: start: nothing to change\n');
  assert.deepEqual(snapshot(), after);

  const stop = rs('stop', '--vip', '10.200.0.7');
  assert.equal(stop.status, 0, stop.stderr);
  assert.deepEqual(snapshot(), before);
  assert.equal(existsSync(state), false);
});
