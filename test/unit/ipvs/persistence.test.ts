import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TCP_FLAG } from '../../../src/ipvs/tcp-state.js';
import type { ServiceKey } from '../../../src/ipvs/services.js';
import { dest, newTable, seg, syn, tcpKey, udp } from '../../helpers/ipvs/table.js';

const { ACK, RST } = TCP_FLAG;

function persistent(netmask?: number, options = {}) {
  const t = newTable(options);
  t.table.addService({
    key: tcpKey(),
    scheduler: 'rr',
    persistence: { timeout: 360, ...(netmask === undefined ? {} : { netmask }) },
  });
  t.table.addDest(tcpKey(), dest('10.0.0.1', { port: 80 }));
  t.table.addDest(tcpKey(), dest('10.0.0.2', { port: 80 }));
  return t;
}

function target(v: ReturnType<ReturnType<typeof newTable>['table']['inbound']>): string {
  assert.ok(v.kind === 'forward');
  return v.target.address;
}

test('a client sticks to its destination; the template counts as PersistConn', () => {
  const { table } = persistent();
  const a = target(table.inbound(syn('1.1.1.1', 1000)));
  for (let i = 1; i < 5; i++) assert.equal(target(table.inbound(syn('1.1.1.1', 1000 + i))), a);
  const b = target(table.inbound(syn('1.1.1.2', 1000)));
  assert.notEqual(a, b);
  const s = table.service(tcpKey());
  assert.equal(
    s.dests.reduce((n, d) => n + d.persistConns, 0),
    2,
  );
  const tpl = table.connections().filter((c) => c.template);
  assert.equal(tpl.length, 2);
  assert.equal(tpl[0]!.clientPort, 0);
  assert.equal(tpl[0]!.virtualPort, 80);
  assert.equal(tpl[0]!.state, 'NONE');
  assert.equal(tpl[0]!.expiresMs, 360_000);
  assert.equal(s.stats.conns, 6, 'templates are not counted as conns');
});

test('granularity /24: clients of one subnet share a template', () => {
  const { table } = persistent(24);
  const a = target(table.inbound(syn('1.1.1.1', 1000)));
  assert.equal(target(table.inbound(syn('1.1.1.200', 1000))), a);
  assert.notEqual(target(table.inbound(syn('1.1.2.1', 1000))), a);
  assert.equal(table.service(tcpKey()).netmask, '255.255.255.0');
  const tpl = table.connections().find((c) => c.template && c.clientAddress === '1.1.1.0');
  assert.ok(tpl);
});

test('IPv6 granularity: prefix length masks the client', () => {
  const { table } = newTable();
  const key: ServiceKey = {
    kind: 'ip',
    protocol: 'TCP',
    family: 'inet6',
    address: '2001:db8::10',
    port: 80,
  };
  table.addService({ key, scheduler: 'rr', persistence: { timeout: 60, netmask: 64 } });
  table.addDest(key, { address: '2001:db8::1', port: 80, weight: 1, method: 'route' });
  table.addDest(key, { address: '2001:db8::2', port: 80, weight: 1, method: 'route' });
  const pkt = (client: string) => ({
    protocol: 'TCP' as const,
    family: 'inet6' as const,
    clientAddress: client,
    clientPort: 5000,
    virtualAddress: '2001:db8::10',
    virtualPort: 80,
    tcpFlags: TCP_FLAG.SYN,
    bytes: 80,
  });
  const a = target(table.inbound(pkt('2001:db8:aa:1::5')));
  assert.equal(target(table.inbound(pkt('2001:db8:aa:1:ffff::9'))), a);
  assert.notEqual(target(table.inbound(pkt('2001:db8:aa:2::5'))), a);
  assert.equal(table.service(key).netmask, '64');
  assert.ok(table.connections().some((c) => c.template && c.clientAddress === '2001:db8:aa:1::'));
});

test('template timer restarts on each new conn and is deferred 60 s while it controls conns', () => {
  const { table, clock } = persistent();
  const p = syn('1.1.1.1', 1000);
  table.inbound(p);
  table.inbound(seg(p, ACK)); // ESTABLISHED: 900 s, template becomes ASSURED
  assert.equal(table.connections().find((c) => c.template)!.state, 'ASSURED');
  table.advance(clock.advance(360_000));
  const tpl = table.connections().find((c) => c.template);
  assert.ok(tpl, 'template still alive while it controls a connection');
  assert.equal(tpl.expiresMs, 60_000);
  // The client keeps reaching the same destination through the deferred template.
  const first = table.connections().find((c) => !c.template)!.destAddress;
  assert.equal(target(table.inbound(syn('1.1.1.1', 2000))), first);
  // Kernel quirk kept: after a deferral the template's timeout stays 60 s.
  assert.equal(table.connections().find((c) => c.template)!.expiresMs, 60_000);
  table.inbound(seg(p, RST));
  table.inbound(seg(syn('1.1.1.1', 2000), RST));
  table.advance(clock.advance(60_000)); // the SYN_RECV conn (60 s) and the template go together
  table.advance(clock.advance(60_000));
  assert.equal(table.size, 0);
  assert.equal(
    table.service(tcpKey()).dests.reduce((n, d) => n + d.persistConns, 0),
    0,
  );
});

test('weight 0 still honours live templates unless expire_quiescent_template', () => {
  for (const eqt of [false, true]) {
    const { table } = persistent(undefined, { expireQuiescentTemplate: eqt });
    const a = target(table.inbound(syn('1.1.1.1', 1000)));
    table.editDest(tcpKey(), dest(a, { port: 80, weight: 0 }));
    const b = target(table.inbound(syn('1.1.1.1', 1001)));
    assert.equal(b === a, !eqt, `expire_quiescent_template=${eqt}`);
    if (eqt) {
      // The old template is neutralised (ports 0xffff) and simply times out.
      assert.ok(table.connections().some((c) => c.template && c.virtualPort === 0xffff));
    }
  }
});

test('a template to a deleted destination is invalid; the client is rescheduled', () => {
  const { table } = persistent();
  const a = target(table.inbound(syn('1.1.1.1', 1000)));
  table.deleteDest(tcpKey(), { address: a, port: 80 });
  const b = target(table.inbound(syn('1.1.1.1', 1001)));
  assert.notEqual(a, b);
});

test('persistent templates are not stopped by OVERLOAD', () => {
  const { table } = newTable();
  table.addService({ key: tcpKey(), scheduler: 'rr', persistence: { timeout: 60 } });
  table.addDest(tcpKey(), dest('10.0.0.1', { port: 80, uThreshold: 1 }));
  assert.equal(target(table.inbound(syn('1.1.1.1', 1000))), '10.0.0.1');
  assert.equal(table.service(tcpKey()).dests[0]!.overloaded, true);
  assert.equal(target(table.inbound(syn('1.1.1.1', 1001))), '10.0.0.1');
  assert.equal(table.inbound(syn('1.1.1.2', 1001)).kind, 'no-destination');
});

test('fwmark services: one IP template pins all ports and protocols of the mark', () => {
  const { table } = newTable();
  const key: ServiceKey = { kind: 'fwmark', family: 'inet', fwmark: 5 };
  table.addService({ key, scheduler: 'rr', persistence: { timeout: 300 } });
  table.addDest(key, { address: '10.0.0.1', port: 0, weight: 1, method: 'route' });
  table.addDest(key, { address: '10.0.0.2', port: 0, weight: 1, method: 'route' });
  const a = table.inbound({ ...syn('1.1.1.1', 1000, 80), fwmark: 5 });
  const b = table.inbound({ ...syn('1.1.1.1', 1001, 443), fwmark: 5 });
  const c = table.inbound({ ...udp('1.1.1.1', 1002, 53), fwmark: 5 });
  assert.ok(a.kind === 'forward' && b.kind === 'forward' && c.kind === 'forward');
  assert.equal(a.target.address, b.target.address);
  assert.equal(a.target.address, c.target.address);
  assert.equal(b.target.port, 443, 'port-0 destination keeps the packet port');
  const tpl = table.connections().filter((x) => x.template);
  assert.equal(tpl.length, 1);
  assert.equal(tpl[0]!.protocol, 'IP');
  assert.equal(tpl[0]!.virtualAddress, '0.0.0.5');
});

test('port-0 persistent service catches every port of the VIP with one template', () => {
  const { table } = newTable();
  table.addService({ key: tcpKey(0), scheduler: 'rr', persistence: { timeout: 300 } });
  table.addDest(tcpKey(0), dest('10.0.0.1', { port: 0, method: 'route' }));
  table.addDest(tcpKey(0), dest('10.0.0.2', { port: 0, method: 'route' }));
  const a = table.inbound(syn('1.1.1.1', 1000, 80));
  const b = table.inbound(syn('1.1.1.1', 1000, 443));
  assert.ok(a.kind === 'forward' && b.kind === 'forward');
  assert.equal(a.target.address, b.target.address);
  assert.equal(b.target.port, 443);
  assert.equal(table.connections().find((x) => x.template)!.virtualPort, 0);
});
