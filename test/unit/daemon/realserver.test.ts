// `tandem realserver` against a fake host: start adds the VIPs to lo and sets the ARP sysctls,
// recording the values it replaced; a second start changes nothing; stop restores; --dry-run
// prints the plan and touches nothing.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runRealserver, type RealserverHost } from '../../../src/daemon/realserver.js';

function fakeHost(): {
  host: RealserverHost;
  lo: Map<string, string | undefined>;
  sysctl: Map<string, string>;
} {
  const lo = new Map<string, string | undefined>([['127.0.0.1', 'lo']]);
  const sysctl = new Map<string, string>(
    ['lo', 'all'].flatMap((i) => [
      [`net.ipv4.conf.${i}.arp_ignore`, '0'],
      [`net.ipv4.conf.${i}.arp_announce`, i === 'all' ? '1' : '0'],
    ]),
  );
  return {
    lo,
    sysctl,
    host: {
      loAddresses: () => [...lo.keys()],
      addVip: (vip, label) => (lo.set(vip.text, label), true),
      deleteVip: (vip) => (lo.delete(vip.text), true),
      readSysctl: (n) => sysctl.get(n),
      writeSysctl: (n, v) => (sysctl.set(n, v), true),
    },
  };
}

function io(): {
  out: string[];
  err: string[];
  io: { stdout: (s: string) => void; stderr: (s: string) => void };
} {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s) => out.push(s), stderr: (s) => err.push(s) } };
}

test('start, start again, stop: VIPs on lo with labels, sysctls set then restored', async (t) => {
  const d = mkdtempSync(join(tmpdir(), 'tandem-rs-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  const state = join(d, 'rs.json');
  const { host, lo, sysctl } = fakeHost();
  const args = ['--vip', '10.0.0.100', '--vip', '10.0.0.101', '--vip', 'fd00::1', '--state', state];
  const a = io();
  assert.equal(await runRealserver(['start', ...args], a.io, host), 0);
  assert.equal(lo.get('10.0.0.100'), 'lo:0');
  assert.equal(lo.get('10.0.0.101'), 'lo:1');
  assert.ok(lo.has('fd00::1'));
  assert.equal(sysctl.get('net.ipv4.conf.all.arp_ignore'), '1');
  assert.equal(sysctl.get('net.ipv4.conf.all.arp_announce'), '2');
  assert.equal(sysctl.get('net.ipv4.conf.lo.arp_announce'), '2');
  assert.match(a.out.join(''), /add 10\.0\.0\.100\/32 to lo \(label lo:0\)/);
  assert.match(a.out.join(''), /set net\.ipv4\.conf\.all\.arp_announce 1 -> 2/);

  const b = io();
  assert.equal(await runRealserver(['start', ...args], b.io, host), 0);
  assert.deepEqual(b.out, ['tandem realserver: start: nothing to change\n']);

  const c = io();
  assert.equal(await runRealserver(['stop', '--state', state], c.io, host), 0);
  assert.deepEqual([...lo.keys()], ['127.0.0.1']);
  assert.equal(sysctl.get('net.ipv4.conf.all.arp_announce'), '1', 'the value before start');
  assert.equal(sysctl.get('net.ipv4.conf.lo.arp_ignore'), '0');
  assert.equal(existsSync(state), false);
});

test('--dry-run prints the plan and changes nothing, state file included', async (t) => {
  const d = mkdtempSync(join(tmpdir(), 'tandem-rs-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  const state = join(d, 'rs.json');
  const { host, lo, sysctl } = fakeHost();
  const before = [...sysctl];
  const a = io();
  assert.equal(
    await runRealserver(
      ['start', '--vip', '10.0.0.100', '--dry-run', '--state', state],
      a.io,
      host,
    ),
    0,
  );
  assert.deepEqual(a.out, [
    'would add 10.0.0.100/32 to lo (label lo:0)\n',
    'would set net.ipv4.conf.lo.arp_ignore 0 -> 1\n',
    'would set net.ipv4.conf.lo.arp_announce 0 -> 2\n',
    'would set net.ipv4.conf.all.arp_ignore 0 -> 1\n',
    'would set net.ipv4.conf.all.arp_announce 1 -> 2\n',
  ]);
  assert.deepEqual([...lo.keys()], ['127.0.0.1']);
  assert.deepEqual([...sysctl], before);
  assert.equal(existsSync(state), false);
});

test('usage errors: no action, a bad address, start without --vip', async () => {
  const { host } = fakeHost();
  for (const argv of [
    [],
    ['restart'],
    ['start', '--vip', '10.0.0.300'],
    ['start'],
    ['start', '--bogus'],
  ]) {
    const x = io();
    assert.equal(await runRealserver(argv, x.io, host), 2, argv.join(' '));
    assert.ok(x.err.length > 0);
  }
});
