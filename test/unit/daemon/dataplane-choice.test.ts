// --dataplane: ipvs needs a kernel with IPVS this process may change (loading ip_vs if needed);
// nft needs root and working nftables; auto takes ipvs when the kernel has IPVS, else nft when
// it can program the configuration, else the proxy, saying why; -P never takes nft.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { choosePlane, ipvsPlaneFactory } from '../../../src/daemon/dataplane-choice.js';
import type { NftRunner } from '../../../src/dataplane/nft/index.js';
import { IpvsTable, schedulerFactory } from '../../../src/ipvs/index.js';
import { ManualClock } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/log.js';
import type { IpvsKernel, IpvsResult } from '../../../src/sys/ipvs-kernel.js';
import { FakeKernel } from '../../helpers/ipvs/fake-kernel.js';

/** A kernel without IPVS, so the nft and proxy cases do not depend on the host's modules. */
const noIpvs = (): IpvsResult<IpvsKernel> => ({
  ok: false,
  code: 'ENOENT',
  message: 'No such file or directory',
});

function fakeRunner(usable: boolean): () => NftRunner {
  return () => ({
    name: 'nft',
    apply: () => ({ ok: true, output: '' }),
    json: () => (usable ? { ok: true, output: '{"nftables": []}' } : { ok: false, error: 'EPERM' }),
    close: () => undefined,
  });
}

function conf(t: { after: (fn: () => void) => void }, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-choice-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'keepalived.conf');
  writeFileSync(file, text);
  return file;
}

const DR =
  'virtual_server 10.0.0.1 80 {\n  lb_kind DR\n  protocol TCP\n  real_server 10.0.1.1 80 { weight 1 }\n}\n';
const FWMARK =
  'virtual_server fwmark 4 {\n  lb_kind DR\n  real_server 10.0.1.1 80 { weight 1 }\n}\n';

test('nft: root and a working nftables, else an error', (t) => {
  const file = conf(t, DR);
  const ok = choosePlane({
    dataplane: 'nft',
    file,
    uid: 0,
    runner: fakeRunner(true),
    ipvs: noIpvs,
  });
  assert.equal(ok.ok && ok.kind, 'nft');
  const user = choosePlane({
    dataplane: 'nft',
    file,
    uid: 1000,
    runner: fakeRunner(true),
    ipvs: noIpvs,
  });
  assert.deepEqual(user, { ok: false, message: '--dataplane nft needs root (CAP_NET_ADMIN)' });
  const broken = choosePlane({
    dataplane: 'nft',
    file,
    uid: 0,
    runner: fakeRunner(false),
    ipvs: noIpvs,
  });
  assert.equal(broken.ok, false);
});

test('auto: nft when it can program the configuration, else the proxy with the reason', (t) => {
  const auto = (text: string, uid: number, usable = true) =>
    choosePlane({
      dataplane: 'auto',
      file: conf(t, text),
      uid,
      runner: fakeRunner(usable),
      ipvs: noIpvs,
    });
  const nft = auto(DR, 0);
  assert.equal(nft.ok && nft.kind, 'nft');
  assert.deepEqual(auto(DR, 1000), { ok: true, kind: 'proxy', why: 'not root' });
  assert.deepEqual(auto(DR, 0, false), { ok: true, kind: 'proxy', why: 'nftables is not usable' });
  assert.deepEqual(auto(FWMARK, 0), {
    ok: true,
    kind: 'proxy',
    why: 'the configuration has virtual servers nft cannot program',
  });
  const vrrpOnly = choosePlane({
    dataplane: 'auto',
    vrrpOnly: true,
    file: conf(t, DR),
    uid: 0,
    runner: fakeRunner(true),
    ipvs: noIpvs,
  });
  assert.deepEqual(vrrpOnly, { ok: true, kind: 'proxy', why: '-P runs no virtual servers' });
  assert.deepEqual(choosePlane({ dataplane: 'proxy', file: '/nonexistent' }), {
    ok: true,
    kind: 'proxy',
  });
});

test('ipvs on a kernel without IPVS is an error; auto then goes on to nft or the proxy', (t) => {
  const file = conf(t, DR);
  const asked: boolean[] = [];
  const missing = (modprobe: boolean) => {
    asked.push(modprobe);
    return noIpvs();
  };
  assert.deepEqual(choosePlane({ dataplane: 'ipvs', file, ipvs: missing }), {
    ok: false,
    message:
      '--dataplane ipvs: the kernel has no IPVS (the ip_vs module is not loaded and could not be)',
  });
  const auto = choosePlane({
    dataplane: 'auto',
    file,
    uid: 1000,
    runner: fakeRunner(true),
    ipvs: missing,
  });
  assert.deepEqual(auto, { ok: true, kind: 'proxy', why: 'not root' });
  // Only an explicit --dataplane ipvs may load the module.
  assert.deepEqual(asked, [true, false]);
});

test("without CAP_NET_ADMIN the kernel's IPVS is not used", (t) => {
  const file = conf(t, DR);
  const noPerm = (): IpvsResult<IpvsKernel> => {
    const k = new FakeKernel();
    k.info = () => ({ ok: false, code: 'EPERM', message: 'Operation not permitted' });
    return { ok: true, value: k };
  };
  assert.deepEqual(choosePlane({ dataplane: 'ipvs', file, ipvs: noPerm }), {
    ok: false,
    message: "--dataplane ipvs: changing the kernel's IPVS table needs CAP_NET_ADMIN (run as root)",
  });
  const auto = choosePlane({
    dataplane: 'auto',
    file,
    uid: 0,
    runner: fakeRunner(true),
    ipvs: noPerm,
  });
  assert.equal(auto.ok && auto.kind, 'nft');
});

test('a kernel with IPVS: auto and ipvs take it, ahead of nft and with -P too; the plane it makes', (t) => {
  const file = conf(t, FWMARK);
  const have = (): IpvsResult<IpvsKernel> => ({ ok: true, value: new FakeKernel() });
  for (const dataplane of ['auto', 'ipvs'] as const) {
    const c = choosePlane({ dataplane, file, uid: 0, runner: fakeRunner(true), ipvs: have });
    assert.ok(c.ok && c.kind === 'ipvs', dataplane);
    const table = new IpvsTable({ now: () => 0, schedulers: schedulerFactory });
    const factory = ipvsPlaneFactory({
      kernel: c.kernel,
      clock: new ManualClock(0),
      dontRelease: true,
    });
    assert.equal(factory(table, silentLogger, () => undefined).kind, 'ipvs');
  }
  const vrrpOnly = choosePlane({ dataplane: 'auto', vrrpOnly: true, file, ipvs: have });
  assert.equal(vrrpOnly.ok && vrrpOnly.kind, 'ipvs');
  assert.deepEqual(choosePlane({ dataplane: 'proxy', file, ipvs: have }), {
    ok: true,
    kind: 'proxy',
  });
});
