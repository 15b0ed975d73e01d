// --dataplane: ipvs needs a kernel with IPVS that this process may change (else exit 1), auto
// falls back to the proxy with the reason, proxy is the proxy, nft is not built yet.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseDataplane } from '../../../src/daemon/dataplane-choice.js';
import { IpvsTable, schedulerFactory } from '../../../src/ipvs/index.js';
import { ManualClock } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/log.js';
import type { IpvsKernel, IpvsResult } from '../../../src/sys/ipvs-kernel.js';
import { FakeKernel } from '../../helpers/ipvs/fake-kernel.js';

const clock = new ManualClock(0);
const missing = (): IpvsResult<IpvsKernel> => ({
  ok: false,
  code: 'ENOENT',
  message: 'No such file or directory',
});

test('ipvs on a kernel without IPVS is an error; auto is then the proxy', () => {
  const ipvs = chooseDataplane('ipvs', { clock, dontRelease: false, open: missing });
  assert.deepEqual(ipvs, {
    ok: false,
    message:
      '--dataplane=ipvs: the kernel has no IPVS (the ip_vs module is not loaded and could not be)',
  });
  const auto = chooseDataplane('auto', { clock, dontRelease: false, open: missing });
  assert.ok(auto.ok);
  assert.equal(auto.kind, 'proxy');
  assert.equal(auto.factory, undefined);
});

test('only ipvs may load the module; without CAP_NET_ADMIN the kernel is not used', () => {
  const asked: boolean[] = [];
  const noPerm = (modprobe: boolean): IpvsResult<IpvsKernel> => {
    asked.push(modprobe);
    const k = new FakeKernel();
    k.info = () => ({ ok: false, code: 'EPERM', message: 'Operation not permitted' });
    return { ok: true, value: k };
  };
  const auto = chooseDataplane('auto', { clock, dontRelease: false, open: noPerm });
  assert.ok(auto.ok && auto.kind === 'proxy');
  assert.match(auto.reason ?? '', /CAP_NET_ADMIN|no IPVS loaded/);
  const ipvs = chooseDataplane('ipvs', { clock, dontRelease: false, open: noPerm });
  assert.deepEqual(ipvs, {
    ok: false,
    message: "--dataplane=ipvs: changing the kernel's IPVS table needs CAP_NET_ADMIN (run as root)",
  });
  assert.deepEqual(asked, [false, true]);
});

test('a usable kernel: auto and ipvs make the IPVS plane; proxy stays the proxy; nft is not built', () => {
  const open = (): IpvsResult<IpvsKernel> => ({ ok: true, value: new FakeKernel() });
  for (const kind of ['auto', 'ipvs']) {
    const c = chooseDataplane(kind, { clock, dontRelease: true, open });
    assert.ok(c.ok && c.factory !== undefined, kind);
    const table = new IpvsTable({ now: () => 0, schedulers: schedulerFactory });
    assert.equal(c.factory(table, silentLogger).kind, 'ipvs');
  }
  const proxy = chooseDataplane('proxy', { clock, dontRelease: false, open });
  assert.deepEqual(proxy, { ok: true, kind: 'proxy' });
  const nft = chooseDataplane('nft', { clock, dontRelease: false, open });
  assert.equal(nft.ok, false);
});
