// The pure parts of `tandem demo`: its command line, the plan of addresses, the configuration it
// writes (both directors compile cleanly and elect as intended), the demo control commands, the
// tour's replayable command lines and the rendering of the directors' log records.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileConfig, memoryFs } from '../../../src/config/index.js';
import { parseDemoArgs } from '../../../src/daemon/demo-args.js';
import { renderDemoConfig } from '../../../src/daemon/demo-config.js';
import { formatCommand, parseCommand } from '../../../src/daemon/demo-control.js';
import { renderRecord } from '../../../src/daemon/demo-director.js';
import {
  defaultRunDir,
  demoNetnsPlan,
  demoPlan,
  isLoopbackPrefix,
} from '../../../src/daemon/demo-plan.js';
import { TOUR_END, tourText } from '../../../src/daemon/demo-tour.js';

test('demo arguments: run, commands, help and usage errors', () => {
  assert.deepEqual(parseDemoArgs([]), {
    ok: true,
    args: { mode: 'run', smoke: false, netns: false, dataplane: 'nft', prefix: '127.0.0' },
  });
  assert.deepEqual(parseDemoArgs(['--smoke', '--prefix', '127.3.4', '--run-dir', '/r']), {
    ok: true,
    args: {
      mode: 'run',
      smoke: true,
      netns: false,
      dataplane: 'nft',
      prefix: '127.3.4',
      runDir: '/r',
    },
  });
  assert.deepEqual(parseDemoArgs(['rs', 'stop', '2']), {
    ok: true,
    args: { mode: 'command', command: { kind: 'rs', action: 'stop', n: 2 } },
  });
  assert.deepEqual(parseDemoArgs(['--run-dir', '/r', 'director', 'start', 'a']), {
    ok: true,
    args: {
      mode: 'command',
      command: { kind: 'director', action: 'start', id: 'a' },
      runDir: '/r',
    },
  });
  assert.deepEqual(parseDemoArgs(['-h']), { ok: true, args: { mode: 'help' } });
  for (const bad of [
    ['--prefix', '10.0.0'],
    ['--prefix', '127.0.256'],
    ['--run-dir', 'relative'],
    ['rs', 'stop'],
    ['rs', 'reboot', '1'],
    ['director', 'stop', 'a', '--smoke'],
    ['--bogus'],
    ['--dataplane', 'proxy'],
    ['--netns', '--dataplane', 'ipvs'],
    ['--netns', '--prefix', '127.0.1'],
  ]) {
    assert.equal(parseDemoArgs(bad).ok, false, bad.join(' '));
  }
});

test('demo control commands round-trip through their wire text', () => {
  for (const line of ['rs stop 2', 'rs start 3', 'director stop a', 'director start b']) {
    const c = parseCommand(line);
    assert.ok(c !== undefined, line);
    assert.equal(formatCommand(c), line);
  }
  for (const line of ['', 'rs', 'rs stop 0', 'rs stop 10', 'director stop ab', 'rs stop 1 2']) {
    assert.equal(parseCommand(line), undefined, line);
  }
});

test('the plan: one loopback /24, run files per user', () => {
  assert.ok(isLoopbackPrefix('127.0.0'));
  assert.ok(!isLoopbackPrefix('127.0'));
  assert.equal(defaultRunDir(0, {}), '/run/tandem-demo');
  assert.equal(
    defaultRunDir(1000, { XDG_RUNTIME_DIR: '/run/user/1000' }),
    '/run/user/1000/tandem-demo',
  );
  assert.equal(defaultRunDir(1000, {}), '/tmp/tandem-demo-1000');
  const p = demoPlan('127.0.7', '/r');
  assert.equal(p.vip, '127.0.7.100');
  assert.deepEqual(
    p.realServers.map((r) => `${r.address}:${r.port}`),
    ['127.0.7.101:8080', '127.0.7.102:8080', '127.0.7.103:8080'],
  );
  assert.deepEqual(
    p.directors.map((d) => [d.id, d.address, d.priority, d.control]),
    [
      ['a', '127.0.7.11', 150, '/r/a.sock'],
      ['b', '127.0.7.12', 100, '/r/b.sock'],
    ],
  );
});

test('the demo configuration compiles cleanly for both directors', () => {
  const plan = demoPlan('127.0.7', '/r');
  for (const id of ['a', 'b'] as const) {
    const r = compileConfig('/demo.conf', {
      fs: memoryFs({ '/demo.conf': renderDemoConfig(plan) }),
      configId: id,
      interfaces: new Set(['lo']),
    });
    assert.deepEqual(r.diagnostics, []);
    const [inst] = r.config.vrrpInstances;
    const me = plan.directors.find((d) => d.id === id)!;
    assert.equal(inst?.priority, me.priority);
    assert.equal(inst?.unicastSrcIp, me.address);
    const [vs] = r.config.virtualServers;
    assert.equal(vs?.realServers.length, 3);
    assert.ok(vs?.realServers.every((rs) => rs.checkers[0]?.type === 'HTTP_GET'));
    assert.equal(r.config.global.smtpServer?.port, 2525);
  }
});

test('the netns form: the seed network, DR, real VRRP, and a tour from the client namespace', () => {
  const plan = demoNetnsPlan('/r');
  assert.equal(plan.vip, '192.168.138.200');
  assert.equal(plan.port, 80);
  assert.deepEqual(plan.netns?.all, [
    'tdemo-lan',
    'tdemo-client',
    'tdemo-a',
    'tdemo-b',
    'tdemo-rs1',
    'tdemo-rs2',
    'tdemo-rs3',
  ]);
  for (const id of ['a', 'b'] as const) {
    const r = compileConfig('/demo.conf', {
      fs: memoryFs({ '/demo.conf': renderDemoConfig(plan) }),
      configId: id,
      interfaces: new Set(['lo', 'eth0']),
    });
    assert.deepEqual(r.diagnostics, []);
    const [inst] = r.config.vrrpInstances;
    assert.equal(inst?.priority, id === 'a' ? 100 : 80);
    assert.equal(inst?.interface, 'eth0');
    assert.equal(r.config.virtualServers[0]?.lvsMethod, 'DR');
  }
  const text = tourText(
    plan,
    { tandem: 'tandem', tandemadm: 'tandemadm', runDirFlag: '' },
    { pids: {}, states: {} },
  );
  assert.match(
    text,
    /\$ for i in \$\(seq 6\); do ip netns exec tdemo-client curl -s http:\/\/192\.168\.138\.200\/; done/,
  );
  assert.match(text, /gratuitous ARP on eth0 for 192\.168\.138\.200/);
});

test('the tour: numbered steps with replayable command lines', () => {
  const plan = demoPlan('127.0.0', '/run/tandem-demo');
  const text = tourText(
    plan,
    { tandem: 'npx tandem', tandemadm: 'npx tandemadm', where: '/src/tandem', runDirFlag: '' },
    { pids: { a: 11, b: 12 }, states: { a: 'MASTER', b: 'BACKUP' } },
  );
  const commands = text.split('\n').filter((l) => l.startsWith('    $ '));
  assert.deepEqual(commands, [
    '    $ for i in $(seq 6); do curl -s http://127.0.0.100:8080/; done',
    '    $ npx tandemadm --control /run/tandem-demo/a.sock -L -n',
    '    $ npx tandem demo rs stop 2',
    '    $ for i in $(seq 4); do curl -s http://127.0.0.100:8080/; done',
    '    $ npx tandem demo rs start 2',
    '    $ npx tandem demo director stop a',
    '    $ for i in $(seq 2); do curl -s http://127.0.0.100:8080/; done',
    '    $ npx tandem demo director start a',
    '    $ for i in $(seq 2); do curl -s http://127.0.0.100:8080/; done',
  ]);
  assert.match(text, /director a {6}MASTER {2}priority 150 {3}pid 11 /);
  assert.match(text, /in \/src\/tandem/);
  assert.ok(text.trimEnd().endsWith(TOUR_END));
  const other = tourText(
    plan,
    { tandem: 'tandem', tandemadm: 'tandemadm', runDirFlag: '--run-dir /x' },
    { pids: {}, states: {} },
  );
  assert.match(other, /\$ tandem demo --run-dir \/x rs stop 2/);
});

test('director log records: keepalived wording, context for terse ones, twins dropped', () => {
  const time = new Date(2026, 0, 2, 3, 4, 5).getTime();
  assert.equal(
    renderRecord('a', { level: 30, time, msg: '(VI_1) Entering MASTER STATE' }),
    '03:04:05 a | (VI_1) Entering MASTER STATE',
  );
  assert.equal(
    renderRecord('b', { level: 30, time, msg: 'listening', address: '127.0.0.100', port: 8080 }),
    '03:04:05 b | listening on 127.0.0.100:8080',
  );
  assert.equal(
    renderRecord('a', { level: 50, time, msg: 'SMTP connection ERROR to [127.0.0.25]:2525.' }),
    '03:04:05 a | error: SMTP connection ERROR to [127.0.0.25]:2525.',
  );
  assert.equal(renderRecord('a', { level: 30, time, msg: 'vrrp state changed' }), undefined);
});
