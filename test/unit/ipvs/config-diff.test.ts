import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyConfig, applyPlan, diffConfig } from '../../../src/ipvs/config-diff.js';
import {
  config,
  fwmarkServer,
  realServer,
  schedFlags,
  virtualServer,
} from '../../helpers/config.js';
import { newTable, syn } from '../../helpers/ipvs/table.js';

const VIP = '192.168.0.10';
const web = () => virtualServer(VIP, 80, [realServer('10.0.0.1'), realServer('10.0.0.2')]);

test('applyConfig maps methods, persistence, granularity, flags, thresholds and timeouts', () => {
  const { table } = newTable();
  const plan = applyConfig(
    table,
    config(
      [
        virtualServer(
          VIP,
          443,
          [
            realServer('10.0.0.1', {
              port: undefined,
              lvsMethod: 'DR',
              weight: 5,
              uthreshold: 10,
              lthreshold: 2,
            }),
          ],
          {
            lvsSched: 'lc',
            persistenceTimeout: 360,
            persistenceGranularity: '255.255.255.0',
            schedFlags: schedFlags({ shPort: true, shFallback: true }),
          },
        ),
        virtualServer(
          VIP,
          53,
          [realServer('10.0.0.3', { port: 53, lvsMethod: 'TUN', tunnel: { type: 'ipip' } })],
          {
            protocol: 'UDP',
            schedFlags: schedFlags({ ops: true }),
          },
        ),
        fwmarkServer(1, [realServer('10.0.0.4', { port: undefined, lvsMethod: 'DR', weight: 2 })]),
        virtualServer(VIP, 8080, [], { key: 'group:G', address: { kind: 'group', name: 'G' } }),
      ],
      { lvsTimeouts: { tcp: 7200, udp: 60 } },
    ),
  );
  assert.deepEqual(plan.skipped, ['group:G']);
  const snap = table.snapshot();
  assert.deepEqual(snap.timeouts, { tcp: 7200, tcpfin: 120, udp: 60 });
  const [https, dns, fwm] = snap.services;
  assert.equal(https!.scheduler, 'lc');
  assert.equal(https!.flags.persistent, true);
  assert.equal(https!.timeout, 360);
  assert.equal(https!.netmask, '255.255.255.0');
  assert.equal(https!.flags.sched1, true);
  assert.equal(https!.flags.sched2, true);
  assert.deepEqual(
    [
      https!.dests[0]!.method,
      https!.dests[0]!.port,
      https!.dests[0]!.weight,
      https!.dests[0]!.uThreshold,
      https!.dests[0]!.lThreshold,
    ],
    ['route', 0, 5, 10, 2],
  );
  assert.equal(dns!.protocol, 'UDP');
  assert.equal(dns!.flags.onePacket, true);
  assert.equal(dns!.flags.persistent, false);
  assert.equal(dns!.dests[0]!.method, 'tunnel');
  assert.deepEqual(dns!.dests[0]!.tunnel, { type: 'ipip' });
  assert.equal(fwm!.fwmark, 1);
  assert.equal(fwm!.dests[0]!.method, 'route');
});

test('diffConfig: add/edit/remove/keep for services and destinations by stable keys', () => {
  const before = config([
    web(),
    virtualServer(VIP, 443, [realServer('10.0.0.1')]),
    virtualServer(VIP, 25, [realServer('10.0.0.9')]),
  ]);
  const after = config([
    virtualServer(VIP, 80, [realServer('10.0.0.1', { weight: 3 }), realServer('10.0.0.3')]),
    virtualServer(VIP, 443, [realServer('10.0.0.1')], { lvsSched: 'wlc' }),
    virtualServer(VIP, 22, [realServer('10.0.0.5')]),
  ]);
  const plan = diffConfig(before, after);
  const summary = plan.services.map((s) => [
    s.key,
    s.action,
    s.dests.map((d) => `${d.action}:${d.key}`),
  ]);
  assert.deepEqual(summary, [
    ['tcp:192.168.0.10:25', 'remove', []],
    ['tcp:192.168.0.10:80', 'keep', ['remove:10.0.0.2|80', 'edit:10.0.0.1|80', 'add:10.0.0.3|80']],
    ['tcp:192.168.0.10:443', 'edit', ['keep:10.0.0.1|80']],
    ['tcp:192.168.0.10:22', 'add', ['add:10.0.0.5|80']],
  ]);
});

test('a reload never disturbs untouched services or their connections', () => {
  const { table } = newTable();
  const before = config([web(), virtualServer(VIP, 443, [realServer('10.0.0.7', { port: 443 })])]);
  applyConfig(table, before);
  const v = table.inbound(syn('1.1.1.1', 1000, 80));
  const w = table.inbound(syn('1.1.1.1', 1000, 443));
  assert.ok(v.kind === 'forward' && w.kind === 'forward');
  const web80 = () => table.snapshot().services.find((s) => s.port === 80)!;
  const order = web80().dests.map((d) => d.address);
  const after = config([
    web(),
    virtualServer(VIP, 443, [realServer('10.0.0.8', { port: 443 })], { lvsSched: 'lc' }),
  ]);
  applyPlan(table, diffConfig(before, after));
  assert.equal(table.size, 2, 'connections survive the reload');
  assert.deepEqual(
    web80().dests.map((d) => d.address),
    order,
    'kept service untouched',
  );
  assert.equal(web80().stats.conns, 1);
  assert.equal(
    web80().dests.reduce((n, d) => n + d.activeConns, 0),
    1,
  );
  const again = table.inbound({ ...syn('1.1.1.1', 1000, 80), tcpFlags: 0x10 });
  assert.ok(again.kind === 'forward' && !again.created && again.conn === v.conn);
  const https = table.snapshot().services.find((s) => s.port === 443)!;
  assert.equal(https.scheduler, 'lc');
  assert.deepEqual(
    https.dests.map((d) => d.address),
    ['10.0.0.8'],
  );
  // The removed destination's connection is dropped (no expire_nodest_conn).
  assert.equal(table.inbound({ ...syn('1.1.1.1', 1000, 443), tcpFlags: 0x10 }).kind, 'drop');
});

test('identical configurations give an all-keep plan that changes nothing', () => {
  const c = config([web(), fwmarkServer(3, [realServer('10.0.0.4', { port: undefined })])]);
  const plan = diffConfig(c, c);
  assert.ok(
    plan.services.every((s) => s.action === 'keep' && s.dests.every((d) => d.action === 'keep')),
  );
});
