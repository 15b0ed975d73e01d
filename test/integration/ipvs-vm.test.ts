// The VM test suite (test/vm) in a real IPVS kernel: one qemu boot of a Debian cloud kernel
// built from Debian packages (test/helpers/vm, docs/testing-vm.md) runs every build/test/vm
// file with node --test inside, and all of them must pass. Needs qemu, apt-get, dpkg-deb,
// depmod and ldd; outside CI a missing tool or an image that cannot be built (no package
// lists) skips, under CI=true it fails.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireTool } from '../helpers/tools.js';
import { missingVmTools, prepareVmImage, runVmTests, type VmImage } from '../helpers/vm/index.js';

const tail = (s: string, n = 4000): string => (s.length > n ? `…${s.slice(-n)}` : s);

test(
  'the VM test suite passes inside a Debian kernel with IPVS',
  { timeout: 15 * 60_000 },
  async (t) => {
    for (const tool of missingVmTools()) if (!requireTool(t, tool)) return;
    let image: VmImage;
    try {
      image = prepareVmImage({ log: (line) => t.diagnostic(line) });
    } catch (err) {
      const why = `the VM image cannot be built: ${(err as Error).message}`;
      if (process.env.CI === 'true') throw new Error(why, { cause: err });
      t.skip(why);
      return;
    }
    const r = await runVmTests({ image });
    t.diagnostic(
      `kernel ${r.kernelVersion}: boot ${r.bootMs ?? '?'} ms, suite and power-off ${r.durationMs} ms`,
    );
    assert.equal(r.timedOut, false, `the VM timed out:\n${tail(r.console)}`);
    assert.ok(r.summary !== undefined, `no test summary from the VM:\n${tail(r.console)}`);
    const s = r.summary;
    t.diagnostic(`in the VM: ${s.pass} passed, ${s.fail} failed, ${s.skipped} skipped`);
    assert.deepEqual(s.failures, [], r.output);
    assert.equal(s.fail + s.cancelled, 0, r.output);
    assert.equal(s.skipped, 0, `tests skipped inside the VM:\n${r.output}`);
    assert.ok(s.pass > 0, r.output);
    assert.equal(r.exitCode, 0, r.output);
  },
);
