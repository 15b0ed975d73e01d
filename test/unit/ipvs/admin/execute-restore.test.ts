import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { runIpvsadm } from '../../../../src/ipvs/admin/execute.js';
import { IpvsTable } from '../../../../src/ipvs/table.js';
import { schedulerFactory } from '../../../../src/ipvs/schedulers/index.js';

const FIXTURES = new URL('../../../../../test/fixtures/ipvsadm/', import.meta.url);
const golden = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');

const fresh = (): IpvsTable => new IpvsTable({ now: () => 0, schedulers: schedulerFactory });

function restore(table: IpvsTable, stdin: string): ReturnType<typeof runIpvsadm> {
  return runIpvsadm(table, ['-R'], { stdin });
}

function save(table: IpvsTable): string {
  return runIpvsadm(table, ['-S', '-n']).stdout;
}

test('-S output restores with -R to the same -S output (golden tables)', () => {
  for (const name of ['spec-save.txt', 'mixed-save.txt']) {
    const table = fresh();
    assert.deepEqual(restore(table, golden(name)), { stdout: '', stderr: '', exitCode: 0 });
    assert.equal(save(table), golden(name), name);
    // And once more through a second table: -S | -R is a fixed point.
    const copy = fresh();
    restore(copy, save(table));
    assert.equal(save(copy), save(table));
  }
});

test('-R accepts a leading "ipvsadm", blank lines, and runs listing commands too', () => {
  const table = fresh();
  const r = restore(
    table,
    'ipvsadm -A -t 10.0.0.1:80 -s rr\n\n  \nipvsadm -a -t 10.0.0.1:80 -r 10.0.0.2\n-L --timeout\n',
  );
  assert.deepEqual(r, {
    stdout: 'Timeout (tcp tcpfin udp): 900 120 300\n',
    stderr: '',
    exitCode: 0,
  });
  assert.equal(save(table), '-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1\n');
});

test('-R: a kernel refusal is printed and the next line runs; the status is the last line', () => {
  const table = fresh();
  const dup = '-A -t 10.0.0.1:80\n-A -t 10.0.0.1:80\n';
  assert.deepEqual(restore(table, `${dup}-A -u 10.0.0.1:53\n`), {
    stdout: '',
    stderr: 'Service already exists\n',
    exitCode: 0,
  });
  assert.equal(save(table), '-A -t 10.0.0.1:80 -s wlc\n-A -u 10.0.0.1:53 -s wlc\n');
  assert.deepEqual(restore(table, '-C\n-A -t 10.0.0.2:80 -s nosuch\n'), {
    stdout: '',
    stderr: 'Scheduler or persistence engine not found\n',
    exitCode: 255,
  });
  assert.equal(save(table), '');
});

test('-R: a parse error ends the run after the lines before it', () => {
  const table = fresh();
  const r = restore(
    table,
    '-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.0.2 -w 99999\n-A -t 10.0.0.3:80\n',
  );
  assert.deepEqual(r, { stdout: '', stderr: 'illegal weight specified\n', exitCode: 2 });
  assert.equal(save(table), '-A -t 10.0.0.1:80 -s wlc\n');
  // ipvsadm does not treat '#' as a comment; a word that is no option asks for -h, and -R
  // inside -R too (tryhelp_exit with -1).
  const tryHelp = "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n";
  assert.deepEqual(restore(fresh(), '# saved rules\n-A -t 10.0.0.1:80\n'), {
    stdout: '',
    stderr: tryHelp,
    exitCode: 255,
  });
  assert.deepEqual(restore(fresh(), '-R\n'), { stdout: '', stderr: tryHelp, exitCode: 255 });
});

test('-R: -L of a missing service exits 1 and -v exits 0, ending the run', () => {
  const table = fresh();
  assert.deepEqual(restore(table, '-L -n -t 10.0.0.9:80\n-A -t 10.0.0.1:80\n'), {
    stdout: '',
    stderr: 'No such service\n',
    exitCode: 1,
  });
  const v = restore(table, '-v\n-A -t 10.0.0.1:80\n');
  assert.equal(v.exitCode, 0);
  assert.equal(v.stdout, 'ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n');
  assert.equal(save(table), '');
});

test('-R with no input does nothing', () => {
  const table = fresh();
  assert.deepEqual(runIpvsadm(table, ['-R']), { stdout: '', stderr: '', exitCode: 0 });
});
