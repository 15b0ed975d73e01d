// Inside the test VM: tandemadm with no daemon administers the kernel's IPVS table itself over
// generic netlink (src/dataplane/ipvs/kernel-admin.ts), and Debian's ipvsadm 1.31 is the
// reference. The same command lines run once through ipvsadm and once through tandemadm on a
// reset kernel; every answer (stdout, stderr, exit status) and the kernel's table after each
// command (`ipvsadm -S -n`) must be equal. Then every listing of the final table is compared,
// tandemadm reading the kernel and ipvsadm reading the same kernel.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { kernelBackend } from '../../src/dataplane/ipvs/kernel-admin.js';
import { runIpvsadmOn } from '../../src/ipvs/index.js';
import { openIpvs } from '../../src/sys/ipvs-kernel.js';
import { REPO } from '../helpers/paths.js';
import {
  kernelIpvsadm,
  requireVm,
  resetKernel,
  vmShell,
  type CommandResult,
} from './helpers/kernel.js';

const words = (line: string): string[] => line.trim().split(/\s+/);

/** tandemadm's kernel path in this process (the CLI adds only the process around it). */
function tandemadm(argv: readonly string[], stdin = ''): CommandResult {
  const opened = openIpvs();
  if (!opened.ok) throw new Error(`openIpvs: ${opened.code}`);
  try {
    return runIpvsadmOn(kernelBackend(opened.kernel), argv, { program: 'ipvsadm', stdin });
  } finally {
    opened.kernel.close();
  }
}

interface Mismatch {
  readonly what: string;
  readonly ipvsadm: CommandResult;
  readonly tandemadm: CommandResult;
}

function same(a: CommandResult, b: CommandResult): boolean {
  return a.stdout === b.stdout && a.stderr === b.stderr && a.exitCode === b.exitCode;
}

function report(ms: readonly Mismatch[]): string {
  return ms
    .map(
      (m) =>
        `${m.what}\n--- ipvsadm (exit ${m.ipvsadm.exitCode})\n${m.ipvsadm.stdout}${m.ipvsadm.stderr}` +
        `--- tandemadm (exit ${m.tandemadm.exitCode})\n${m.tandemadm.stdout}${m.tandemadm.stderr}`,
    )
    .join('\n');
}

/**
 * Each command on a fresh kernel through both tools; answers and the table after each. The
 * table is read the same way after both (in this process: a spawn costs ~0.2 s under
 * emulation); the listing test below checks that reading against ipvsadm's.
 */
function replay(commands: readonly string[]): Mismatch[] {
  const record = (run: (argv: readonly string[]) => CommandResult) => {
    resetKernel();
    return commands.map((c) => ({ answer: run(words(c)), table: tandemadm(['-S', '-n']) }));
  };
  const ref = record((argv) => kernelIpvsadm(argv));
  const got = record((argv) => tandemadm(argv));
  const out: Mismatch[] = [];
  commands.forEach((c, i) => {
    const r = ref[i];
    const g = got[i];
    if (r === undefined || g === undefined) return;
    if (!same(r.answer, g.answer)) out.push({ what: c, ipvsadm: r.answer, tandemadm: g.answer });
    if (!same(r.table, g.table))
      out.push({ what: `-S -n after ${c}`, ipvsadm: r.table, tandemadm: g.table });
  });
  return out;
}

/** Services and servers of every kind, edits, deletions, refusals, timeouts, sync daemons. */
const SEQUENCE = [
  '-A -t 10.1.0.1:80 -s rr',
  '-a -t 10.1.0.1:80 -r 10.2.0.1:80 -g -w 2',
  '-a -t 10.1.0.1:80 -r 10.2.0.2:8080 -m -w 0 -x 100 -y 10',
  '-A -u 10.1.0.1:53 -s wrr -p 600 -M 255.255.255.0',
  '-a -u 10.1.0.1:53 -r 10.2.0.3 -i -w 5',
  '-A -f 7 -s sh -b sh-fallback,sh-port',
  '-a -f 7 -r 10.2.0.4:0 -g',
  '-A -f 8 -6 -s mh -p 120 -M 64',
  '-a -f 8 -6 -r [2001:db8::20]:0 -g -w 4',
  '-A -t [2001:db8::1]:443 -s sed -o',
  '-a -t [2001:db8::1]:443 -r [2001:db8::10]:443 -m -w 3',
  '-A --sctp-service 10.1.0.2:9000 -s nq',
  '-a --sctp-service 10.1.0.2:9000 -r 10.2.0.5 -m',
  '-A -t 10.1.0.3:25 -s lblcr -p',
  '-A -t 10.1.0.3:26 -s fo',
  '-A -t 10.1.0.3:27 -s ovf',
  '-A -t 10.1.0.3:28 -s dh',
  '-A -t 10.1.0.3:29 -s lc',
  '-A -t 10.1.0.3:30 -s lblc',
  '-E -t 10.1.0.1:80 -s wlc -p 300',
  '-e -t 10.1.0.1:80 -r 10.2.0.1:80 -g -w 7',
  '-d -t 10.1.0.1:80 -r 10.2.0.2:8080',
  '-a -t 10.1.0.1:80 -r 10.2.0.6:80 -i --tun-type gue --tun-port 6080 --tun-csum',
  '-a -t 10.1.0.1:80 -r 10.2.0.7:80 -i --tun-type gre --tun-nocsum',
  '-a -t 10.1.0.1:80 -r 10.2.0.8:80 -i --tun-type ipip',
  '--set 3600 60 120',
  // Refusals, worded by ipvs_strerror for the call that failed.
  '-A -t 10.1.0.1:80 -s rr',
  '-A -t 10.1.0.9:80 -s twos',
  '-a -t 10.1.0.9:81 -r 10.2.0.1',
  '-e -t 10.1.0.1:80 -r 10.9.9.9:80',
  '-d -t 10.1.0.1:80 -r 10.9.9.9:80',
  '-D -t 10.1.0.9:99',
  '-E -t 10.1.0.9:99 -s rr',
  '-a -t 10.1.0.1:80 -r 10.2.0.1:80',
  '-a -t 10.1.0.1:80 -r 10.2.0.9:80 -x 5 -y 10',
  '-Z -t 10.1.0.9:99',
  '-a -t 10.1.0.1:80 -r 10.2.0.10:80 -i --tun-type gue',
  '-Z',
  '-Z -t 10.1.0.1:80',
  '-D -u 10.1.0.1:53',
  '--start-daemon master --mcast-interface tsync0 --syncid 5',
  '--start-daemon master --mcast-interface tsync0 --syncid 5',
  '--start-daemon backup --mcast-interface tsync0 --syncid 6 --mcast-port 9000 --mcast-ttl 2',
  '--stop-daemon master',
  '--stop-daemon master',
  '--stop-daemon backup',
];

/** Listings of the final table: tandemadm and ipvsadm read the same kernel. */
const VIEWS = [
  '-S -n',
  '-L -n',
  '-L -n --stats',
  '-L -n --rate',
  '-L -n --exact --stats',
  '-L -n --thresholds',
  '-L -n --persistent-conn',
  '-L -n --tun-info',
  '-L -n --nosort',
  '-L -n -c',
  '-L --timeout',
  '-L --daemon',
  '-L -n -t 10.1.0.1:80',
  '-L -n -t 10.1.0.9:1',
  '-L -n -f 7',
];

test('tandemadm on the kernel answers every command as ipvsadm does', (t) => {
  if (!requireVm(t)) return;
  vmShell('ip link add tsync0 type dummy 2>/dev/null; ip link set tsync0 up multicast on');
  t.after(() => vmShell('ip link del tsync0 2>/dev/null || true'));
  const mismatches = replay(SEQUENCE);
  assert.equal(mismatches.length, 0, report(mismatches));
});

test('every listing of the table, and -R of a saved table, match', (t) => {
  if (!requireVm(t)) return;
  vmShell('ip link add tsync0 type dummy 2>/dev/null; ip link set tsync0 up multicast on');
  t.after(() => {
    kernelIpvsadm(['--stop-daemon', 'backup']);
    vmShell('ip link del tsync0 2>/dev/null || true');
  });
  resetKernel();
  for (const c of SEQUENCE) tandemadm(words(c));
  tandemadm(words('--start-daemon backup --mcast-interface tsync0 --syncid 9'));
  const out: Mismatch[] = [];
  // Entries other tests left in the connection table count down between two reads.
  const expiry = (r: CommandResult): CommandResult => ({
    ...r,
    stdout: r.stdout.replace(/^(\S+ +)\d\d:\d\d /gm, '$1mm:ss '),
  });
  for (const v of VIEWS) {
    const r = expiry(kernelIpvsadm(words(v)));
    const g = expiry(tandemadm(words(v)));
    if (!same(r, g)) out.push({ what: v, ipvsadm: r, tandemadm: g });
  }
  assert.equal(out.length, 0, report(out));
  const saved = kernelIpvsadm(['-S', '-n']).stdout;
  resetKernel();
  const r = tandemadm(['-R'], saved);
  assert.deepEqual([r.exitCode, r.stderr], [0, '']);
  assert.equal(kernelIpvsadm(['-S', '-n']).stdout, saved);
});

test('the tandemadm binary with no daemon reaches the kernel', (t) => {
  if (!requireVm(t)) return;
  resetKernel();
  const bin = join(REPO, 'build', 'src', 'cli', 'main.js');
  const cli = (argv: readonly string[]) => {
    const r = spawnSync(process.execPath, [bin, ...argv], { encoding: 'utf8' });
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.status ?? -1 };
  };
  // Node takes seconds to start under emulation: two runs, a refusal and a listing.
  assert.equal(kernelIpvsadm(words('-A -t 10.1.0.1:80 -s rr')).exitCode, 0);
  const dup = cli(words('-A -t 10.1.0.1:80 -s rr'));
  assert.deepEqual(dup, kernelIpvsadm(words('-A -t 10.1.0.1:80 -s rr')));
  assert.equal(cli(['-L', '-n']).stdout, kernelIpvsadm(['-L', '-n']).stdout);
  resetKernel();
});
