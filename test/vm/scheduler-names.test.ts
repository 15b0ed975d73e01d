// Inside the test VM: every scheduler name tandem knows against the kernel's own list. A name
// the kernel has a module for must be accepted by both, with equal answers and listings; the
// kernel's modules must all be names tandem knows. The one name this kernel lacks (twos,
// added to Linux after 6.1) is reported as the kernel refusing what tandem accepts.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { SCHEDULER_NAMES } from '../../src/ipvs/index.js';
import { both, newTwin, requireVm, resetKernel, tandemIpvsadm } from './helpers/kernel.js';

/** Scheduler names the kernel has modules for (ip_vs_<name>.ko besides the helpers). */
function kernelSchedulers(): string[] {
  const version = readFileSync('/etc/tandem-vm/kernel', 'utf8').trim();
  const dir = `/lib/modules/${version}/kernel/net/netfilter/ipvs`;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => /^ip_vs_(\w+)\.ko/.exec(f)?.[1])
    .filter((n): n is string => n !== undefined && n !== 'ftp' && !n.startsWith('pe_'))
    .sort();
}

test('every scheduler the kernel has is one tandem has', (t) => {
  if (!requireVm(t)) return;
  const kernel = kernelSchedulers();
  assert.ok(kernel.length >= 13, `kernel schedulers: ${kernel.join(' ')}`);
  assert.deepEqual(
    kernel.filter((n) => !(SCHEDULER_NAMES as readonly string[]).includes(n)),
    [],
  );
});

test('every scheduler name tandem knows: the kernel accepts it when it has the module', (t) => {
  if (!requireVm(t)) return;
  resetKernel();
  const twin = newTwin();
  const kernel = new Set(kernelSchedulers());
  const refused: string[] = [];
  SCHEDULER_NAMES.forEach((name, i) => {
    const argv = ['-A', '-t', `10.20.0.${i + 1}:80`, '-s', name];
    const r = both(twin, argv);
    if (kernel.has(name)) {
      assert.equal(r.kernel.exitCode, 0, `kernel refused ${name}: ${r.kernel.stderr}`);
      assert.deepEqual(r.tandem, r.kernel, name);
    } else {
      assert.equal(r.kernel.exitCode, 255, name);
      assert.equal(r.kernel.stderr, 'Scheduler or persistence engine not found\n');
      assert.equal(r.tandem.exitCode, 0, `tandem refused ${name}: ${r.tandem.stderr}`);
      // Keep the two tables equal for the listings below.
      assert.equal(tandemIpvsadm(twin, ['-D', '-t', `10.20.0.${i + 1}:80`]).exitCode, 0);
      refused.push(name);
    }
  });
  t.diagnostic(`kernel lacks: ${refused.join(' ') || 'none'}`);
  for (const view of [
    ['-L', '-n'],
    ['-S', '-n'],
  ]) {
    const r = both(twin, view);
    assert.equal(r.tandem.stdout, r.kernel.stdout);
  }
  // A name nobody has: the kernel refuses it, and tandem words the refusal as ipvsadm does.
  const bogus = both(twin, ['-A', '-t', '10.20.1.1:80', '-s', 'nosuch']);
  assert.deepEqual(bogus.tandem, bogus.kernel);
});
