import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../../src/lib/errors.js';
import { TCP_FLAG } from '../../../src/ipvs/tcp-state.js';
import type { IpvsTable } from '../../../src/ipvs/table.js';
import { dest, newTable, seg, syn, tcpKey, udp, udpKey } from '../../helpers/ipvs/table.js';

const { SYN, ACK, FIN, RST } = TCP_FLAG;

function counts(table: IpvsTable, key = tcpKey()) {
  const d = table.service(key).dests[0]!;
  return { active: d.activeConns, inactive: d.inactConns, persist: d.persistConns };
}

function natTable(method: 'masq' | 'route' = 'masq') {
  const t = newTable();
  t.table.addService({ key: tcpKey(), scheduler: 'rr' });
  t.table.addDest(tcpKey(), dest('10.0.0.1', { method }));
  return t;
}

function open(table: IpvsTable, client = '1.1.1.1', cport = 1000): number {
  const v = table.inbound(syn(client, cport));
  assert.ok(v.kind === 'forward');
  return v.conn;
}

test('NAT connection: SYN active, ESTABLISHED active, FIN/TIME_WAIT inactive, expiry frees', () => {
  const { table, clock } = natTable();
  const p = syn('1.1.1.1', 1000);
  const id = open(table);
  assert.equal(table.connection(id)!.state, 'SYN_RECV');
  assert.equal(table.connection(id)!.expiresMs, 60_000);
  assert.deepEqual(counts(table), { active: 1, inactive: 0, persist: 0 });
  table.outbound(id, SYN | ACK, 60);
  table.inbound(seg(p, ACK));
  assert.equal(table.connection(id)!.state, 'ESTABLISHED');
  assert.equal(table.connection(id)!.expiresMs, 900_000);
  table.inbound(seg(p, FIN | ACK));
  assert.equal(table.connection(id)!.state, 'CLOSE_WAIT');
  assert.deepEqual(counts(table), { active: 0, inactive: 1, persist: 0 });
  table.outbound(id, FIN | ACK, 52);
  assert.equal(table.connection(id)!.state, 'TIME_WAIT');
  assert.equal(table.connection(id)!.expiresMs, 120_000);
  table.advance(clock.advance(119_999));
  assert.equal(table.size, 1);
  table.advance(clock.advance(1));
  assert.equal(table.size, 0);
  assert.deepEqual(counts(table), { active: 0, inactive: 0, persist: 0 });
  const s = table.service(tcpKey());
  assert.deepEqual(s.stats, {
    conns: 1,
    inpkts: 3,
    outpkts: 2,
    inbytes: 60 + 52 + 52,
    outbytes: 112,
  });
});

test('DR connection: client FIN → FIN_WAIT (tcpfin timeout), InActConn', () => {
  const { table } = natTable('route');
  const p = syn('1.1.1.1', 1000);
  const id = open(table);
  table.inbound(seg(p, ACK));
  table.inbound(seg(p, FIN | ACK));
  assert.equal(table.connection(id)!.state, 'FIN_WAIT');
  assert.equal(table.connection(id)!.expiresMs, 120_000);
  assert.deepEqual(counts(table), { active: 0, inactive: 1, persist: 0 });
  assert.equal(table.service(tcpKey()).stats.outpkts, 0);
});

test('idle timer: every packet re-arms with the current state timeout', () => {
  const { table, clock } = natTable();
  const p = syn('1.1.1.1', 1000);
  const id = open(table);
  table.inbound(seg(p, ACK));
  clock.advance(800_000);
  table.inbound(seg(p, ACK));
  table.advance(clock.advance(800_000));
  assert.equal(table.size, 1);
  assert.equal(table.connection(id)!.expiresMs, 100_000);
  table.advance(clock.advance(100_000));
  assert.equal(table.size, 0);
});

test('--set changes tcp/tcpfin/udp; 0 keeps a value; existing conns pick it up on their next packet', () => {
  const { table, clock } = natTable();
  assert.deepEqual(table.timeouts(), { tcp: 900, tcpfin: 120, udp: 300 });
  const p = syn('1.1.1.1', 1000);
  const id = open(table);
  table.inbound(seg(p, ACK));
  table.setTimeouts({ tcp: 10, tcpfin: 0, udp: 5 });
  assert.deepEqual(table.timeouts(), { tcp: 10, tcpfin: 120, udp: 5 });
  assert.equal(table.connection(id)!.expiresMs, 900_000);
  table.inbound(seg(p, ACK));
  assert.equal(table.connection(id)!.expiresMs, 10_000);
  table.advance(clock.advance(10_000));
  assert.equal(table.size, 0);
  assert.throws(
    () => {
      table.setTimeouts({ tcp: -1 });
    },
    (e: unknown) => e instanceof AppError && e.code === 'ERR_IPVS_OUT_OF_RANGE',
  );
});

test('UDP: always InActConn, 300 s refreshed by either direction', () => {
  const { table, clock } = newTable();
  table.addService({ key: udpKey(), scheduler: 'rr' });
  table.addDest(udpKey(), dest('10.0.0.3', { port: 53 }));
  const v = table.inbound(udp('2.2.2.2', 5000));
  assert.ok(v.kind === 'forward');
  const id = v.conn;
  assert.equal(table.connection(id)!.state, 'UDP');
  assert.equal(table.connection(id)!.expiresMs, 300_000);
  assert.deepEqual(counts(table, udpKey()), { active: 0, inactive: 1, persist: 0 });
  clock.advance(200_000);
  table.outbound(id, 0, 80);
  table.advance(clock.advance(299_999));
  assert.equal(table.size, 1);
  table.advance(clock.advance(1));
  assert.equal(table.size, 0);
});

test('one-packet scheduling: UDP conns counted, scheduled per packet, never kept', () => {
  const { table } = newTable();
  table.addService({ key: udpKey(), scheduler: 'rr', onePacket: true });
  table.addDest(udpKey(), dest('10.0.0.3', { port: 53 }));
  table.addDest(udpKey(), dest('10.0.0.4', { port: 53 }));
  const a = table.inbound(udp('2.2.2.2', 5000));
  const b = table.inbound(udp('2.2.2.2', 5000));
  assert.ok(a.kind === 'forward' && b.kind === 'forward');
  assert.equal(a.conn, -1);
  assert.notEqual(a.target.address, b.target.address);
  assert.equal(table.size, 0);
  assert.equal(table.service(udpKey()).stats.conns, 2);
});

test('non-SYN without a connection is not ours; no service is not ours', () => {
  const { table } = natTable();
  assert.equal(table.inbound(seg(syn('1.1.1.1', 1000), ACK)).kind, 'not-ours');
  assert.equal(table.inbound(syn('1.1.1.1', 1000, 443)).kind, 'not-ours');
  assert.equal(table.inbound(syn('1.1.1.1', 1000, 80, '10.9.9.9')).kind, 'not-ours');
});

test('port reuse: SYN on a TIME_WAIT entry expires it and reschedules', () => {
  const { table } = natTable();
  table.addDest(tcpKey(), dest('10.0.0.2'));
  const p = syn('1.1.1.1', 1000);
  const id = open(table);
  const first = table.connection(id)!.destAddress;
  table.inbound(seg(p, ACK));
  table.inbound(seg(p, FIN));
  table.outbound(id, FIN | ACK, 40);
  assert.equal(table.connection(id)!.state, 'TIME_WAIT');
  const again = table.inbound(p);
  assert.ok(again.kind === 'forward' && again.created);
  assert.notEqual(again.target.address, first);
  assert.equal(table.size, 1);
});

test('conn_reuse_mode 0 keeps the old entry (SYN goes to the previous server)', () => {
  const { table } = newTable({ connReuseMode: 0 });
  table.addService({ key: tcpKey(), scheduler: 'rr' });
  table.addDest(tcpKey(), dest('10.0.0.1'));
  table.addDest(tcpKey(), dest('10.0.0.2'));
  const p = syn('1.1.1.1', 1000);
  const id = open(table);
  table.inbound(seg(p, RST));
  table.inbound(seg(p, ACK));
  table.inbound(seg(p, RST));
  assert.equal(table.connection(id)!.state, 'CLOSE');
  const again = table.inbound(p);
  assert.ok(again.kind === 'forward' && !again.created && again.conn === id);
});

test('expire_nodest_conn: packets to a deleted destination expire the entry and reschedule', () => {
  const { table } = newTable({ expireNodestConn: true });
  table.addService({ key: tcpKey(), scheduler: 'rr' });
  table.addDest(tcpKey(), dest('10.0.0.1'));
  table.addDest(tcpKey(), dest('10.0.0.2'));
  const p = syn('1.1.1.1', 1000);
  const v = table.inbound(p);
  assert.ok(v.kind === 'forward');
  // Since 5.9 deleting the destination flushes its connections at once.
  table.deleteDest(tcpKey(), { address: v.target.address, port: 8080 });
  assert.equal(table.size, 0);
  assert.equal(table.inbound(seg(p, ACK)).kind, 'not-ours');
  const again = table.inbound(p);
  assert.ok(again.kind === 'forward' && again.target.address !== v.target.address);
});

test('expire_nodest_conn with weight 0: a reused-port SYN is rescheduled', () => {
  const { table } = newTable({ expireNodestConn: true });
  table.addService({ key: tcpKey(), scheduler: 'rr' });
  table.addDest(tcpKey(), dest('10.0.0.1'));
  const p = syn('1.1.1.1', 1000);
  open(table);
  table.inbound(seg(p, ACK));
  table.addDest(tcpKey(), dest('10.0.0.2'));
  table.editDest(tcpKey(), dest('10.0.0.1', { weight: 0 }));
  assert.equal(table.inbound(seg(p, ACK)).kind, 'forward');
  const again = table.inbound(p);
  assert.ok(again.kind === 'forward' && again.created && again.target.address === '10.0.0.2');
});

test('without expire_nodest_conn a deleted destination drops packets until the conn expires', () => {
  const { table, clock } = natTable();
  const p = syn('1.1.1.1', 1000);
  open(table);
  table.deleteDest(tcpKey(), { address: '10.0.0.1', port: 8080 });
  assert.equal(table.inbound(seg(p, ACK)).kind, 'drop');
  assert.equal(table.inbound(p).kind, 'drop');
  table.advance(clock.advance(60_000));
  assert.equal(table.size, 0);
  assert.equal(table.inbound(p).kind, 'no-destination');
});

test('connections() lists entries with expiry; IPv6 clients are interned', () => {
  const { table } = newTable();
  const key = {
    kind: 'ip',
    protocol: 'TCP',
    family: 'inet6',
    address: '2001:db8::10',
    port: 80,
  } as const;
  table.addService({ key, scheduler: 'rr' });
  table.addDest(key, { address: '2001:db8::1', port: 80, weight: 1, method: 'route' });
  const v = table.inbound({
    protocol: 'TCP',
    family: 'inet6',
    clientAddress: '2001:db8:1::7',
    clientPort: 4000,
    virtualAddress: '2001:db8::10',
    virtualPort: 80,
    tcpFlags: SYN,
    bytes: 80,
  });
  assert.equal(v.kind, 'forward');
  const [c] = table.connections();
  assert.deepEqual(c, {
    protocol: 'TCP',
    family: 'inet6',
    clientAddress: '2001:db8:1::7',
    clientPort: 4000,
    virtualAddress: '2001:db8::10',
    virtualPort: 80,
    destAddress: '2001:db8::1',
    destPort: 80,
    state: 'SYN_RECV',
    expiresMs: 60_000,
    template: false,
  });
});
