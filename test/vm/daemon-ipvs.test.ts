// Inside the test VM: the tandem binary as a director on a real IPVS kernel. `--dataplane auto`
// chooses the kernel's IPVS; TCP_CHECK verdicts on Node real servers become kernel destinations;
// tandemadm through the daemon's control socket lists what ipvsadm reads from the kernel and
// its edits reach the kernel; a real server that dies leaves the kernel's table; at stop the
// daemon's services leave the kernel.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startTandem } from '../helpers/daemon.js';
import { request } from '../../src/control/index.js';
import { kernelIpvsadm, requireVm, resetKernel } from './helpers/kernel.js';
import { startRealServers } from './helpers/traffic.js';

const CONF = `
virtual_server 127.1.0.1 80 {
  delay_loop 1
  lb_algo wrr
  lb_kind NAT
  protocol TCP
  real_server 127.2.0.1 8000 {
    weight 2
    TCP_CHECK {
      connect_timeout 1
      retry 0
    }
  }
  real_server 127.2.0.2 8000 {
    weight 1
    TCP_CHECK {
      connect_timeout 1
      retry 0
    }
  }
}
`;

/** Polls `ipvsadm -S -n` until `pred` holds (the checkers work on their own clock). */
async function kernelUntil(pred: (save: string) => boolean, timeoutMs = 30_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const save = kernelIpvsadm(['-S', '-n']).stdout;
    if (pred(save)) return save;
    if (Date.now() > until) throw new Error(`kernel table never matched; last:\n${save}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test(
  'a tandem director on the kernel: checkers, tandemadm, stop',
  { timeout: 240_000 },
  async (t) => {
    if (!requireVm(t)) return;
    resetKernel();
    const reals = await startRealServers([{ address: '127.2.0.1', port: 8000 }]);
    let second = await startRealServers([{ address: '127.2.0.2', port: 8000 }]);
    t.after(async () => {
      await reals.close();
      await second.close();
    });
    const d = startTandem(CONF, ['--dataplane', 'auto']);
    t.after(() => d.stop());
    const chosen = await d.waitFor((r) => r.msg === 'started', 60_000);
    assert.equal(chosen.dataplane, 'ipvs');
    await kernelUntil((s) => s.includes('127.2.0.1:8000') && s.includes('127.2.0.2:8000'));
    assert.equal(
      kernelIpvsadm(['-S', '-n']).stdout,
      '-A -t 127.1.0.1:80 -s wrr\n' +
        '-a -t 127.1.0.1:80 -r 127.2.0.1:8000 -m -w 2\n' +
        '-a -t 127.1.0.1:80 -r 127.2.0.2:8000 -m -w 1\n',
    );
    const control = join(d.confPath, '..', 'control.sock');
    // What tandemadm sends over the control socket (the binary only adds its process, and
    // Node takes seconds to start under emulation).
    const tandemadm = (argv: readonly string[]) =>
      request(control, 'ipvsadm', { argv, program: 'tandemadm' });
    // An edit through the daemon reaches the kernel; the listing through the daemon is the kernel's.
    const edit = await tandemadm([
      '-e',
      '-t',
      '127.1.0.1:80',
      '-r',
      '127.2.0.2:8000',
      '-m',
      '-w',
      '5',
    ]);
    assert.deepEqual(edit, { stdout: '', stderr: '', exitCode: 0 });
    await kernelUntil((s) => s.includes('-r 127.2.0.2:8000 -m -w 5'));
    const listed = (await tandemadm(['-L', '-n'])) as { stdout: string };
    assert.equal(listed.stdout, kernelIpvsadm(['-L', '-n']).stdout);
    // A real server that stops answering leaves the kernel's table.
    await second.close();
    await kernelUntil((s) => !s.includes('127.2.0.2'));
    second = await startRealServers([{ address: '127.2.0.2', port: 8000 }]);
    await kernelUntil((s) => s.includes('127.2.0.2'));
    // At stop the daemon's services leave the kernel (-I: ipvs-plane.test.ts).
    assert.equal(await d.stop(), 0);
    assert.equal(kernelIpvsadm(['-S', '-n']).stdout, '');
  },
);
