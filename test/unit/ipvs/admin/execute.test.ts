import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { runIpvsadm, type IpvsadmResult } from '../../../../src/ipvs/admin/execute.js';
import { IpvsTable } from '../../../../src/ipvs/table.js';
import { schedulerFactory } from '../../../../src/ipvs/schedulers/index.js';
import { manualClock } from '../../../helpers/ipvs/clock.js';
import { seg, syn } from '../../../helpers/ipvs/table.js';
import { TCP_FLAG } from '../../../../src/ipvs/tcp-state.js';

const FIXTURES = new URL('../../../../../test/fixtures/ipvsadm/', import.meta.url);
const golden = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');

function fresh(): { table: IpvsTable; clock: ReturnType<typeof manualClock> } {
  const clock = manualClock();
  return { table: new IpvsTable({ now: clock.now, schedulers: schedulerFactory }), clock };
}

/** Run one command line (split on spaces, as a shell would here). */
function sh(table: IpvsTable, line: string, stdin?: string): IpvsadmResult {
  const argv = line === '' ? [] : line.split(' ');
  return runIpvsadm(table, argv, stdin === undefined ? {} : { stdin });
}

function ok(table: IpvsTable, line: string): string {
  const r = sh(table, line);
  assert.deepEqual({ stderr: r.stderr, exitCode: r.exitCode }, { stderr: '', exitCode: 0 }, line);
  return r.stdout;
}

const TITLES =
  'IP Virtual Server version 1.2.1 (size=4096)\n' +
  'Prot LocalAddress:Port Scheduler Flags\n' +
  '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';

test('a sequence of commands builds the table ipvsadm -L -n and -S -n print', () => {
  const { table } = fresh();
  assert.equal(ok(table, '-L -n'), TITLES);
  ok(table, '-A -t 192.168.0.10:80');
  ok(table, '-a -t 192.168.0.10:80 -r 10.0.0.2:8080 -m -w 0');
  ok(table, '-a -t 192.168.0.10:80 -r 10.0.0.1:8080 -m -x 100 -y 50');
  ok(table, '-A -t 192.168.0.10:443 -s sh -b sh-fallback,sh-port -p -M 255.255.255.0');
  ok(table, '-a -t 192.168.0.10:443 -r 10.0.0.1 -w 5');
  ok(table, '--add-service --udp-service 192.168.0.10:53 --scheduler rr --ops');
  ok(table, '-a -u 192.168.0.10:53 -r 10.0.0.3 -i');
  ok(table, '-A -f 1 -s wrr');
  ok(table, '-a -f 1 -r 10.0.0.4 -w 2');
  assert.equal(
    ok(table, '-L -n'),
    TITLES +
      'TCP  192.168.0.10:80 wlc\n' +
      '  -> 10.0.0.1:8080                Masq    1      0          0         \n' +
      '  -> 10.0.0.2:8080                Masq    0      0          0         \n' +
      'TCP  192.168.0.10:443 sh (sh-fallback,sh-port) persistent 360 mask 255.255.255.0\n' +
      '  -> 10.0.0.1:443                 Route   5      0          0         \n' +
      'UDP  192.168.0.10:53 rr ops\n' +
      '  -> 10.0.0.3:53                  Tunnel  1      0          0         \n' +
      'FWM  1 wrr\n' +
      '  -> 10.0.0.4:0                   Route   2      0          0         \n',
  );
  // The same table as the reference's -S example (the golden file), and `ipvsadm` alone lists.
  assert.equal(ok(table, '-S -n'), golden('spec-save.txt'));
  assert.equal(ok(table, '-S'), golden('spec-save.txt'));
  assert.equal(ok(table, ''), ok(table, '-L -n'));
  assert.equal(
    ok(table, '-L -n --thresholds -t 192.168.0.10:80'),
    'Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n' +
      '  -> RemoteAddress:Port\n' +
      'TCP  192.168.0.10:80 wlc\n' +
      '  -> 10.0.0.1:8080                100        50         0          0         \n' +
      '  -> 10.0.0.2:8080                0          0          0          0         \n',
  );
});

test('edits and deletes change the listing as the kernel would', () => {
  const { table } = fresh();
  ok(table, '-A -t 10.0.0.100:80 -s rr -p 60');
  ok(table, '-a -t 10.0.0.100:80 -r 10.0.0.1 -w 3');
  ok(table, '-a -t 10.0.0.100:80 -r 10.0.0.2');
  ok(table, '-e -t 10.0.0.100:80 -r 10.0.0.2 -w 7');
  ok(table, '-d -t 10.0.0.100:80 -r 10.0.0.1');
  assert.equal(
    ok(table, '-L -n'),
    TITLES +
      'TCP  10.0.0.100:80 rr persistent 60\n' +
      '  -> 10.0.0.2:80                  Route   7      0          0         \n',
  );
  // -E sends a whole service: no -s means wlc again, no -p means not persistent.
  ok(table, '-E -t 10.0.0.100:80');
  assert.equal(
    ok(table, '-S -n'),
    '-A -t 10.0.0.100:80 -s wlc\n-a -t 10.0.0.100:80 -r 10.0.0.2:80 -g -w 7\n',
  );
  ok(table, '-D -t 10.0.0.100:80');
  assert.equal(ok(table, '-S -n'), '');
  ok(table, '-A -u [2001:db8::1]:53 -s sh -p 30 -M 64');
  ok(table, '-A -f 7 -6 -s mh');
  assert.equal(ok(table, '-S -n'), '-A -u [2001:db8::1]:53 -s sh -p 30 -M 64\n-A -f 7 -6 -s mh\n');
  ok(table, '-C');
  assert.equal(ok(table, '-L -n'), TITLES);
});

test('kernel refusals are worded by ipvs_strerror for the failing call, status 255', () => {
  const { table } = fresh();
  ok(table, '-A -t 192.168.0.10:80');
  ok(table, '-a -t 192.168.0.10:80 -r 10.0.0.1:8080 -m');
  const cases: [string, string][] = [
    ['-A -t 192.168.0.10:80', 'Service already exists'],
    ['-E -t 192.168.0.11:80', 'No such service'],
    ['-D -t 192.168.0.11:80', 'No such service'],
    ['-Z -t 192.168.0.11:80', 'No such service'],
    ['-a -t 192.168.0.11:80 -r 10.0.0.1', 'Service not defined'],
    ['-e -t 192.168.0.11:80 -r 10.0.0.1', 'Service not defined'],
    ['-d -t 192.168.0.11:80 -r 10.0.0.1', 'Service not defined'],
    ['-a -t 192.168.0.10:80 -r 10.0.0.1:8080 -m', 'Destination already exists'],
    ['-e -t 192.168.0.10:80 -r 10.0.0.2:8080 -m', 'No such destination'],
    ['-d -t 192.168.0.10:80 -r 10.0.0.2:8080', 'No such destination'],
    ['-A -t 192.168.0.10:81 -s nosuch', 'Scheduler or persistence engine not found'],
    ['-E -t 192.168.0.10:80 -s none', 'Scheduler or persistence engine not found'],
    // l_threshold above u_threshold: ERANGE, which ipvs_strerror leaves to strerror.
    ['-a -t 192.168.0.10:80 -r 10.0.0.3:8080 -m -y 5', 'Numerical result out of range'],
    // More than INT_MAX/HZ seconds passes ipvsadm's 31-day check; the kernel says EINVAL.
    [
      '--set 2678400 0 0',
      'Invalid operation.  Possibly wrong module version, address not unicast, ...',
    ],
    // A non-contiguous persistence mask: the table matches clients by prefix.
    [
      '-A -t 192.168.0.10:82 -p -M 255.0.255.0',
      'Invalid operation.  Possibly wrong module version, address not unicast, ...',
    ],
    ['--stop-daemon master', 'No daemon is running'],
    ['--start-daemon master', 'Function not implemented'],
  ];
  for (const [line, message] of cases) {
    assert.deepEqual(sh(table, line), { stdout: '', stderr: `${message}\n`, exitCode: 255 }, line);
  }
  assert.equal(ok(table, '-L --timeout'), 'Timeout (tcp tcpfin udp): 900 120 300\n');
});

test('listing a missing service prints "No such service" and exits 1', () => {
  const { table } = fresh();
  assert.deepEqual(sh(table, '-L -n -t 10.1.1.1:80'), {
    stdout: '',
    stderr: 'No such service\n',
    exitCode: 1,
  });
});

test('parse errors are ipvsadm fail() texts (status 2) or the try-help line', () => {
  const { table } = fresh();
  assert.deepEqual(sh(table, '-A -t 10.0.0.1:80 -w 5'), {
    stdout: '',
    stderr: "Illegal 'weight' option with the 'add-service' command\n",
    exitCode: 2,
  });
  assert.deepEqual(sh(table, '-a -t 10.0.0.1:80 -r 10.0.0.2 -w 70000'), {
    stdout: '',
    stderr: 'illegal weight specified\n',
    exitCode: 2,
  });
  assert.deepEqual(sh(table, '-A -t 10.0.0.1'), {
    stdout: '',
    stderr: 'Zero port specified for non-persistent service\n',
    exitCode: 2,
  });
  const r = runIpvsadm(table, ['bogus'], { program: 'tandemadm' });
  assert.deepEqual(r, {
    stdout: '',
    stderr: "Try `tandemadm -h' or 'tandemadm --help' for more information.\n",
    exitCode: 255,
  });
});

test('--set then --timeout; 0 keeps a value', () => {
  const { table } = fresh();
  ok(table, '--set 10 20 30');
  assert.equal(ok(table, '-L --timeout'), 'Timeout (tcp tcpfin udp): 10 20 30\n');
  ok(table, '--set 0 45 0');
  assert.equal(ok(table, '-l --timeout'), 'Timeout (tcp tcpfin udp): 10 45 30\n');
});

test('-L --daemon prints nothing: no sync daemon runs', () => {
  const { table } = fresh();
  assert.deepEqual(sh(table, '-L --daemon'), { stdout: '', stderr: '', exitCode: 0 });
});

test('-h prints ipvsadm 1.31 usage to stdout with the program name; -v the version', () => {
  const { table } = fresh();
  assert.deepEqual(sh(table, '-h'), { stdout: golden('usage.txt'), stderr: '', exitCode: 0 });
  const named = runIpvsadm(table, ['--help'], { program: 'tandemadm' });
  assert.equal(named.stdout, golden('usage.txt').replaceAll('  ipvsadm -', '  tandemadm -'));
  assert.equal(ok(table, '-v'), 'ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n');
});

test('-Z zeroes one service or everything; --stats and -c show live traffic', () => {
  const { table, clock } = fresh();
  ok(table, '-A -t 192.168.0.10:80 -s rr');
  ok(table, '-a -t 192.168.0.10:80 -r 10.0.0.1:8080 -m');
  ok(table, '-A -t 192.168.0.10:81 -s rr');
  ok(table, '-a -t 192.168.0.10:81 -r 10.0.0.2:8080 -m');
  for (const vport of [80, 81]) {
    const first = syn('203.0.113.7', 40000 + vport, vport);
    table.inbound(first);
    table.inbound(seg(first, TCP_FLAG.ACK, 100));
  }
  const stats = (): string => ok(table, '-L -n --stats --exact');
  const row = (name: string, conns: number, pkts: number, bytes: number): string =>
    `${name.padEnd(33)}${[conns, pkts, 0, bytes, 0].map((n) => String(n).padStart(9)).join('')}\n`;
  const title =
    'IP Virtual Server version 1.2.1 (size=4096)\n' +
    'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n' +
    '  -> RemoteAddress:Port\n';
  const listing = (n80: number, n81: number): string =>
    title +
    row('TCP  192.168.0.10:80', n80, 2 * n80, 160 * n80) +
    row('  -> 10.0.0.1:8080', n80, 2 * n80, 160 * n80) +
    row('TCP  192.168.0.10:81', n81, 2 * n81, 160 * n81) +
    row('  -> 10.0.0.2:8080', n81, 2 * n81, 160 * n81);
  assert.equal(stats(), listing(1, 1));
  ok(table, '-Z -t 192.168.0.10:80');
  assert.equal(stats(), listing(0, 1));
  ok(table, '-Z');
  assert.equal(stats(), listing(0, 0));

  clock.advance(1000);
  assert.equal(
    ok(table, '-L -n -c'),
    'IPVS connection entries\n' +
      'pro expire state       source             virtual            destination\n' +
      'TCP 14:59  ESTABLISHED 203.0.113.7:40080  192.168.0.10:80    10.0.0.1:8080\n' +
      'TCP 14:59  ESTABLISHED 203.0.113.7:40081  192.168.0.10:81    10.0.0.2:8080\n',
  );
});

test('opts.now brings the table up to date before a listing (expired entries are gone)', () => {
  const { table, clock } = fresh();
  ok(table, '-A -t 192.168.0.10:80 -s rr');
  ok(table, '-a -t 192.168.0.10:80 -r 10.0.0.1:8080 -m');
  table.inbound(syn('203.0.113.7', 40000));
  const later = clock.now() + 600_000;
  const r = runIpvsadm(table, ['-L', '-n', '-c'], { now: () => later });
  assert.equal(
    r.stdout,
    'IPVS connection entries\n' +
      'pro expire state       source             virtual            destination\n',
  );
});
