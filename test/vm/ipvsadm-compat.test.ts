// Inside the test VM: Debian's ipvsadm 1.31 against a real IPVS kernel is the reference for
// tandem's ipvsadm emulation (runIpvsadm on the userspace table). The same command lines go
// to both, and every answer (stdout, stderr, exit status) and every listing must be equal:
// the seeds' DR configurations, the seed documents' own ipvsadm scripts, and a longer
// sequence over IPv6, UDP, SCTP, fwmark, persistence with netmasks, thresholds, tunnels,
// edits, deletions and refused requests.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileConfig } from '../../src/config/index.js';
import { applyConfig, renderSave } from '../../src/ipvs/index.js';
import { FIXTURES } from '../helpers/paths.js';
import {
  both,
  kernelIpvsadm,
  newTwin,
  requireVm,
  resetKernel,
  tandemIpvsadm,
  type CommandResult,
  type Twin,
} from './helpers/kernel.js';

/** Listings compared after a configuration is in place. */
const VIEWS: readonly (readonly string[])[] = [
  ['-S', '-n'],
  ['-L', '-n'],
  ['-L', '-n', '--stats'],
  ['-L', '-n', '--rate'],
  ['-L', '-n', '--exact', '--stats'],
  ['-L', '-n', '--thresholds'],
  ['-L', '-n', '--persistent-conn'],
  ['-L', '-n', '--tun-info'],
  ['-L', '-n', '-c'],
  ['-L', '--timeout'],
  ['-L', '--daemon'],
];

interface Mismatch {
  readonly argv: string;
  readonly kernel: CommandResult;
  readonly tandem: CommandResult;
}

function compare(twin: Twin, argv: readonly string[], out: Mismatch[], stdin = ''): void {
  const { kernel, tandem } = both(twin, argv, stdin);
  if (
    kernel.stdout !== tandem.stdout ||
    kernel.stderr !== tandem.stderr ||
    kernel.exitCode !== tandem.exitCode
  ) {
    out.push({ argv: argv.join(' '), kernel, tandem });
  }
}

function report(mismatches: readonly Mismatch[]): string {
  return mismatches
    .map(
      (m) =>
        `ipvsadm ${m.argv}\n--- kernel (exit ${m.kernel.exitCode})\n${m.kernel.stdout}${m.kernel.stderr}` +
        `--- tandem (exit ${m.tandem.exitCode})\n${m.tandem.stdout}${m.tandem.stderr}`,
    )
    .join('\n');
}

/**
 * Each command on a fresh kernel table and a fresh tandem table, then every view. With
 * `eachSave`, `ipvsadm -S -n` after every command as well (each ipvsadm run costs about
 * 0.2 s under emulation, so only the long sequence does that).
 */
function run(commands: readonly (readonly string[])[], eachSave = false): Mismatch[] {
  resetKernel();
  const twin = newTwin();
  const out: Mismatch[] = [];
  for (const argv of commands) {
    compare(twin, argv, out);
    if (eachSave) compare(twin, ['-S', '-n'], out);
  }
  for (const v of VIEWS) compare(twin, v, out);
  return out;
}

const words = (line: string): string[] => line.trim().split(/\s+/);

const HOST = { hostname: 'tandem-vm', user: 'root', interfaces: new Set(['lo', 'eth0']) };

for (const seed of ['seed000-master.conf', 'seed000-backup.conf', 'seed003-netseek-master.conf']) {
  test(`${seed}: the compiled configuration in the kernel and in tandem lists alike`, (t) => {
    if (!requireVm(t)) return;
    const compiled = compileConfig(join(FIXTURES, 'config', seed), HOST);
    assert.ok(compiled.ok);
    const model = newTwin();
    applyConfig(model.table, compiled.config);
    // The daemon's table as ipvsadm -S would save it, replayed line by line on both.
    const commands = renderSave(model.table.snapshot()).trimEnd().split('\n').map(words);
    const mismatches = run(commands);
    assert.equal(mismatches.length, 0, report(mismatches));
    const kernelSave = both(model, ['-S', '-n']);
    assert.equal(kernelSave.tandem.stdout, kernelSave.kernel.stdout);
  });
}

test('seed001 (mycat, DR, persistent 50): the listing the seed document shows', (t) => {
  if (!requireVm(t)) return;
  // seed001's keepalived.conf closes its virtual_server early (tandem rejects it, see
  // test/unit/config/seeds.test.ts); these are the commands behind the document's ipvsadm -ln.
  const commands = [
    '-A -t 10.249.5.100:8066 -s rr -p 50',
    '-a -t 10.249.5.100:8066 -r 192.168.100.3:8066 -g -w 3',
    '-a -t 10.249.5.100:8066 -r 192.168.100.4:8066 -g -w 3',
    '-a -t 10.249.5.100:8066 -r 192.168.100.5:8066 -g -w 3',
  ];
  const mismatches = run(commands.map(words));
  assert.equal(mismatches.length, 0, report(mismatches));
  const listed = kernelIpvsadm(['-L', '-n']).stdout;
  assert.equal(listed, readFileSync(join(FIXTURES, 'ipvsadm', 'seed-mycat-ln.txt'), 'utf8'));
});

test("seed documents' ipvsadm scripts (seed 002 FTP DR, seed 003 lvs-dr.sh) give equal answers", (t) => {
  if (!requireVm(t)) return;
  const seed002 = [
    '-C',
    '-A -t 10.83.33.100:21 -s wrr',
    '-a -t 10.83.33.100:21 -r 10.83.33.76 -g -w 3',
    '-a -t 10.83.33.100:21 -r 10.83.33.2 -g -w 1',
  ];
  const seed003 = [
    '--set 30 5 60',
    '-A -t 61.164.122.8:80 -s wrr -p 3',
    '-a -t 61.164.122.8:80 -r 61.164.122.9:80 -g -w 1',
    '-a -t 61.164.122.8:80 -r 61.164.122.10:80 -g -w 1',
  ];
  const mismatches = [...run(seed002.map(words)), ...run(seed003.map(words))];
  const stop = run([...seed003, '-C', '-Z'].map(words));
  assert.equal(mismatches.length + stop.length, 0, report([...mismatches, ...stop]));
});

/** Services and servers of every kind, edits, deletions and refusals. */
const SEQUENCE = [
  '-A -t 10.0.0.1:80 -s wlc',
  '-A -t 10.0.0.1:80 -s wlc',
  '-A -t 10.0.0.2:80 -s nosuch',
  '-a -t 10.0.0.1:80 -r 10.1.0.1:8080 -m -w 5',
  '-a -t 10.0.0.1:80 -r 10.1.0.1:8080 -m -w 5',
  '-a -t 10.0.0.1:80 -r 10.1.0.2 -g -w 0 -x 100 -y 50',
  '-a -t 10.0.0.1:80 -r 10.1.0.3 -i -w 2',
  '-a -t 10.0.0.1:80 -r 10.1.0.4 -i --tun-type gue --tun-port 6080 --tun-nocsum',
  '-a -t 10.0.0.1:80 -r 10.1.0.5 -i --tun-type gre --tun-csum',
  '-a -t 10.0.0.9:80 -r 10.1.0.3 -g',
  '-A -u 10.0.0.1:53 -s rr -o',
  '-a -u 10.0.0.1:53 -r 10.1.0.1 -m',
  '-A -t [2001:db8::1]:443 -s sh -b sh-port,sh-fallback -p 120 -M 64',
  '-a -t [2001:db8::1]:443 -r [2001:db8::10]:443 -m -w 2',
  '-a -t [2001:db8::1]:443 -r [2001:db8::11]:8443 -m -w 3 -x 7',
  '-A -f 5 -s mh -b mh-port -p',
  '-a -f 5 -r 10.1.0.7:0 -g',
  '-A -f 6 -6 -s lc',
  '-a -f 6 -6 -r [2001:db8::20] -g',
  '--add-service --sctp-service 10.0.0.3:9000 -s nq',
  '-a --sctp-service 10.0.0.3:9000 -r 10.1.0.9:9001 -m',
  '-A -t 10.0.0.4:21 -s lblc -p 600 -M 255.255.255.0',
  '-A -t 10.0.0.5:0 -s lblcr -p',
  '-A -u 10.0.0.6:5060 -s rr -p 30 --pe sip',
  '-A -t 10.0.0.7:80 -s dh -b flag-3',
  '-A -t 10.0.0.8:80 -s fo',
  '-A -t 10.0.0.10:80 -s ovf',
  '-A -t 10.0.0.11:80 -s sh -b mh-port',
  '-E -t 10.0.0.1:80 -s sed -p 30',
  '-E -t 10.0.0.99:80 -s sed',
  '-e -t 10.0.0.1:80 -r 10.1.0.1:8080 -m -w 9 -x 10 -y 5',
  '-e -t 10.0.0.1:80 -r 10.1.0.99:8080 -m',
  '-d -t 10.0.0.1:80 -r 10.1.0.3',
  '-d -t 10.0.0.1:80 -r 10.1.0.3',
  '-D -u 10.0.0.1:53',
  '-D -u 10.0.0.1:53',
  '--set 30 5 60',
  '--set 0 0 45',
  '-Z',
  '-Z -t 10.0.0.1:80',
  '-Z -t 10.0.0.98:80',
  '-L -n -t 10.0.0.1:80',
  '-L -n -t 10.0.0.97:80',
  '-L -n -f 5',
  '-L -n -t [2001:db8::1]:443 --stats',
];

test('a sequence over every kind of service and server: every answer and listing alike', (t) => {
  if (!requireVm(t)) return;
  const mismatches = run(SEQUENCE.map(words), true);
  assert.equal(mismatches.length, 0, report(mismatches));
});

test('ipvsadm -R of a saved table and listings afterwards alike', (t) => {
  if (!requireVm(t)) return;
  // The table the sequence leaves, saved by tandem alone (the test above holds the kernel
  // to the same save), restored into both.
  const source = newTwin();
  for (const line of SEQUENCE) tandemIpvsadm(source, words(line));
  const saved = tandemIpvsadm(source, ['-S', '-n']).stdout;
  resetKernel();
  const twin = newTwin();
  const out: Mismatch[] = [];
  compare(twin, ['-R'], out, saved);
  compare(twin, ['-R'], out, '-A -t 10.0.0.50:80 -s nosuch\n-A -t 10.0.0.51:80 -s rr\n');
  for (const v of VIEWS) compare(twin, v, out);
  assert.equal(out.length, 0, report(out));
});
