// ipvsadm's commands on a kernel (kernelBackend over the in-memory kernel): which request each
// command becomes, how the kernel's errnos are worded (libipvs's ipvs_strerror per call), and
// that listings read the kernel. The real kernel and Debian's ipvsadm: test/vm.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kernelBackend } from '../../../src/dataplane/ipvs/kernel-admin.js';
import { runIpvsadmOn } from '../../../src/ipvs/index.js';
import { FakeKernel } from '../../helpers/ipvs/fake-kernel.js';

function admin(kernel: FakeKernel, line: string, stdin = '') {
  return runIpvsadmOn(
    kernelBackend(kernel, () => undefined),
    line.split(' '),
    { stdin },
  );
}

test('each command is one request with what libipvs puts in it', () => {
  const k = new FakeKernel();
  for (const line of [
    '-A -t 10.0.0.1:80 -s rr -p 60 -M 255.255.0.0',
    '-a -t 10.0.0.1:80 -r 10.0.1.1:8080 -m -w 3 -x 10 -y 2',
    '-e -t 10.0.0.1:80 -r 10.0.1.1:8080 -m -w 4',
    '-E -t 10.0.0.1:80 -s wlc',
    '-d -t 10.0.0.1:80 -r 10.0.1.1:8080',
    '-Z -t 10.0.0.1:80',
    '--set 100 20 30',
    '--start-daemon backup --mcast-interface eth1 --syncid 3',
    '--stop-daemon backup',
    '-D -t 10.0.0.1:80',
    '-C',
  ]) {
    assert.deepEqual(admin(k, line), { stdout: '', stderr: '', exitCode: 0 }, line);
  }
  assert.deepEqual(k.calls, [
    'new-service 6|inet|10.0.0.1|80 rr',
    'new-dest 6|inet|10.0.0.1|80 inet|10.0.1.1|8080 w3',
    'set-dest 6|inet|10.0.0.1|80 inet|10.0.1.1|8080 w4',
    'set-service 6|inet|10.0.0.1|80 wlc',
    'del-dest 6|inet|10.0.0.1|80 inet|10.0.1.1|8080',
    'zero 6|inet|10.0.0.1|80',
    'set-config 100 20 30',
    'new-daemon backup eth1 3',
    'del-daemon backup',
    'del-service 6|inet|10.0.0.1|80',
    'flush',
  ]);
});

test("the kernel's refusals in ipvsadm's words, with ipvsadm's exit status", () => {
  const k = new FakeKernel();
  admin(k, '-A -t 10.0.0.1:80 -s rr');
  admin(k, '-a -t 10.0.0.1:80 -r 10.0.1.1');
  const cases: [string, string][] = [
    ['-A -t 10.0.0.1:80 -s rr', 'Service already exists'],
    ['-A -t 10.0.0.2:80 -s twos', 'Scheduler or persistence engine not found'],
    ['-E -t 10.0.0.9:80 -s rr', 'No such service'],
    ['-D -t 10.0.0.9:80', 'No such service'],
    ['-a -t 10.0.0.9:80 -r 10.0.1.1', 'Service not defined'],
    ['-a -t 10.0.0.1:80 -r 10.0.1.1', 'Destination already exists'],
    ['-e -t 10.0.0.1:80 -r 10.0.1.9', 'No such destination'],
    ['-d -t 10.0.0.1:80 -r 10.0.1.9', 'No such destination'],
    ['-a -t 10.0.0.1:80 -r 10.0.1.2 -x 1 -y 2', 'Numerical result out of range'],
    ['-Z -t 10.0.0.9:80', 'No such service'],
    ['--stop-daemon master', 'No daemon is running'],
  ];
  for (const [line, message] of cases) {
    assert.deepEqual(admin(k, line), { stdout: '', stderr: `${message}\n`, exitCode: 255 }, line);
  }
  admin(k, '--start-daemon master --mcast-interface eth0');
  assert.equal(
    admin(k, '--start-daemon master --mcast-interface eth0').stderr,
    'Daemon has already run\n',
  );
  k.failures.set('new-service', 'EPERM');
  assert.equal(admin(k, '-A -t 10.0.0.3:80').stderr, 'Permission denied (you must be root)\n');
  k.failures.set('new-service', 'ENOMEM');
  assert.equal(admin(k, '-A -t 10.0.0.3:80').stderr, 'Memory allocation problem\n');
});

test('listings read the kernel: services, destinations, timeouts, daemons, -R', () => {
  const k = new FakeKernel();
  const rules = '-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 2\n';
  assert.equal(admin(k, '-R', rules).exitCode, 0);
  assert.equal(admin(k, '-S -n').stdout, rules);
  assert.equal(
    admin(k, '-L -n').stdout,
    'IP Virtual Server version 1.2.1 (size=4096)\n' +
      'Prot LocalAddress:Port Scheduler Flags\n' +
      '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n' +
      'TCP  10.0.0.1:80 rr\n' +
      '  -> 10.0.1.1:80                  Route   2      0          0         \n',
  );
  assert.equal(admin(k, '-L --timeout').stdout, 'Timeout (tcp tcpfin udp): 900 120 300\n');
  admin(k, '--start-daemon master --mcast-interface eth0 --syncid 2');
  assert.equal(
    admin(k, '-L --daemon').stdout,
    'master sync daemon (mcast=eth0, syncid=2, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)\n',
  );
  assert.equal(
    admin(k, '-L -n -c').stdout,
    'IPVS connection entries\npro expire state       source             virtual            destination\n',
  );
});
