// Guest-side helpers for tests that run inside the test VM (docs/testing-vm.md): whether this
// is the VM, Debian's ipvsadm against the VM's kernel, and a tandem table driven by the same
// ipvsadm command lines through runIpvsadm, so each command and view can be compared.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { IpvsTable, runIpvsadm, schedulerFactory } from '../../../src/ipvs/index.js';

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** True inside the test VM (its /init sets TANDEM_VM=1 and the kernel has IPVS loaded). */
export function inVm(): boolean {
  return process.env.TANDEM_VM === '1' && existsSync('/proc/net/ip_vs');
}

/** Skips a test outside the VM; these files run with `npm run test:vm`. */
export function requireVm(t: TestContext): boolean {
  if (inVm()) return true;
  t.skip('runs inside the test VM (npm run test:vm)');
  return false;
}

/** Debian's ipvsadm against the running kernel. */
export function kernelIpvsadm(argv: readonly string[], stdin = ''): CommandResult {
  const r = spawnSync('ipvsadm', argv, { input: stdin, encoding: 'utf8' });
  if (r.error !== undefined) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.status ?? -1 };
}

/** A shell command in the VM (busybox), failing the test on a non-zero status. */
export function vmShell(cmd: string): string {
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** The kernel's IPVS state back to boot defaults: no services, default timeouts. */
export function resetKernel(): void {
  for (const argv of [['-C'], ['--set', '900', '120', '300']]) {
    const r = kernelIpvsadm(argv);
    if (r.exitCode !== 0) throw new Error(`ipvsadm ${argv.join(' ')}: ${r.stderr}`);
  }
}

/** tandem's table with the real schedulers on a manual clock (milliseconds). */
export interface Twin {
  readonly table: IpvsTable;
  readonly clock: { t: number };
}

export function newTwin(): Twin {
  const clock = { t: 1_000_000 };
  const table = new IpvsTable({ now: () => clock.t, schedulers: schedulerFactory });
  return { table, clock };
}

export function tandemIpvsadm(twin: Twin, argv: readonly string[], stdin = ''): CommandResult {
  return runIpvsadm(twin.table, argv, { stdin });
}

/** The same command line on the kernel (real ipvsadm) and on tandem's table. */
export function both(
  twin: Twin,
  argv: readonly string[],
  stdin = '',
): { kernel: CommandResult; tandem: CommandResult } {
  return { kernel: kernelIpvsadm(argv, stdin), tandem: tandemIpvsadm(twin, argv, stdin) };
}
