// The compiled seed configuration applied to the real table with the real schedulers: the seed
// documents' test (10 requests spread 5/5 over two real servers with rr), and a reload diff.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileConfig, memoryFs } from '../../../src/config/index.js';
import {
  applyConfig,
  diffConfig,
  IpvsTable,
  renderList,
  schedulerFactory,
  TCP_FLAG,
} from '../../../src/ipvs/index.js';
import { FIXTURES } from '../../helpers/paths.js';

const HOST = { hostname: 'h', user: 'u', interfaces: new Set(['lo', 'eth0']) };

function seedTable(file: string): { table: IpvsTable; now: { t: number } } {
  const now = { t: 0 };
  const table = new IpvsTable({ now: () => now.t, schedulers: schedulerFactory });
  const r = compileConfig(join(FIXTURES, 'config', file), HOST);
  assert.ok(r.ok);
  applyConfig(table, r.config);
  return { table, now };
}

test('seed000: rr over two real servers splits 10 connections 5/5, as ipvsadm -ln shows', () => {
  const { table } = seedTable('seed000-master.conf');
  const picks: string[] = [];
  for (let i = 0; i < 10; i++) {
    const v = table.inbound({
      protocol: 'TCP',
      family: 'inet',
      clientAddress: `198.51.100.${i + 1}`,
      clientPort: 40000 + i,
      virtualAddress: '192.168.138.200',
      virtualPort: 80,
      tcpFlags: TCP_FLAG.SYN,
      bytes: 60,
    });
    assert.equal(v.kind, 'forward');
    if (v.kind === 'forward') picks.push(v.target.address);
  }
  assert.equal(picks.filter((a) => a === '192.168.138.3').length, 5);
  assert.equal(picks.filter((a) => a === '192.168.138.4').length, 5);
  const svc = table.snapshot().services[0];
  assert.equal(svc?.scheduler, 'rr');
  assert.deepEqual(
    svc?.dests.map((d) => [d.address, d.method, d.weight, d.inactConns + d.activeConns]).sort(),
    [
      ['192.168.138.3', 'route', 1, 5],
      ['192.168.138.4', 'route', 1, 5],
    ],
  );
  // The seed document's `ipvsadm -ln` (000_*.txt line 82), as ipvsadm 1.31 really prints it.
  assert.equal(
    renderList(table.snapshot()),
    [
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port Scheduler Flags',
      '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
      'TCP  192.168.138.200:80 rr',
      '  -> 192.168.138.3:80             Route   1      5          0         ',
      '  -> 192.168.138.4:80             Route   1      5          0         ',
      '',
    ].join('\n'),
  );
});

test('seed001-style persistence pins a client to one real server', () => {
  const { table } = seedTable('seed003-netseek-master.conf');
  const targets = new Set<string>();
  for (let i = 0; i < 6; i++) {
    const v = table.inbound({
      protocol: 'TCP',
      family: 'inet',
      clientAddress: '203.0.113.9',
      clientPort: 50000 + i,
      virtualAddress: '61.164.122.8',
      virtualPort: 80,
      tcpFlags: TCP_FLAG.SYN,
      bytes: 60,
    });
    if (v.kind === 'forward') targets.add(v.target.address);
  }
  assert.equal(targets.size, 1);
});

test('reloading the same configuration changes nothing', () => {
  const r = compileConfig(join(FIXTURES, 'config', 'seed000-master.conf'), HOST);
  const plan = diffConfig(r.config, r.config);
  assert.ok(
    plan.services.every((s) => s.action === 'keep'),
    JSON.stringify(plan.services.map((s) => s.action)),
  );
});

test('virtual_server group expands into one service per member', () => {
  const r = compileConfig('/k.conf', {
    hostname: 'h',
    user: 'u',
    fs: memoryFs({
      '/k.conf':
        'virtual_server_group G {\n 10.0.0.1-3 80\n 10.0.1.9\n fwmark 7\n}\nvirtual_server group G {\n protocol TCP\n lvs_sched rr\n real_server 10.9.0.1 80 {\n }\n}\n',
    }),
  });
  assert.ok(r.ok, JSON.stringify(r.diagnostics));
  const table = new IpvsTable({ now: () => 0, schedulers: schedulerFactory });
  const plan = applyConfig(table, r.config);
  assert.deepEqual(plan.skipped, []);
  assert.deepEqual(
    plan.services.map((s) => s.key),
    ['tcp:10.0.0.1:80', 'tcp:10.0.0.2:80', 'tcp:10.0.0.3:80', 'tcp:10.0.1.9:0', 'fwmark:7'],
  );
  assert.equal(table.snapshot().services.length, 5);
});
