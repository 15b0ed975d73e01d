import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../../src/lib/errors.js';
import { dest, newTable, syn, tcpKey } from '../../helpers/ipvs/table.js';

const code = (c: string) => (err: unknown) => err instanceof AppError && err.code === c;

test('service add/edit/delete errors use the catalogue', () => {
  const { table } = newTable();
  table.addService({ key: tcpKey(), scheduler: 'rr' });
  assert.throws(() => {
    table.addService({ key: tcpKey(), scheduler: 'rr' });
  }, code('ERR_IPVS_SERVICE_EXISTS'));
  assert.throws(() => {
    table.editService({ key: tcpKey(81), scheduler: 'rr' });
  }, code('ERR_IPVS_NO_SERVICE'));
  assert.throws(() => {
    table.deleteService(tcpKey(81));
  }, code('ERR_IPVS_NO_SERVICE'));
  assert.throws(() => {
    table.addService({ key: tcpKey(82), scheduler: 'mh' });
  }, code('ERR_IPVS_NO_SCHEDULER'));
  assert.throws(() => {
    table.addService({ key: tcpKey(83), scheduler: 'rr', pe: 'xyz' });
  }, code('ERR_IPVS_NO_SCHEDULER'));
  assert.throws(() => {
    table.addService({ key: tcpKey(84), scheduler: 'rr', persistence: { timeout: 0 } });
  }, code('ERR_IPVS_OUT_OF_RANGE'));
  table.editService({ key: tcpKey(), scheduler: 'lc' });
  assert.equal(table.service(tcpKey()).scheduler, 'lc');
  table.deleteService(tcpKey());
  assert.equal(table.snapshot().services.length, 0);
});

test('destination errors: exists, no such destination, ranges, thresholds', () => {
  const { table } = newTable();
  table.addService({ key: tcpKey(), scheduler: 'rr' });
  table.addDest(tcpKey(), dest('10.0.0.1'));
  assert.throws(() => {
    table.addDest(tcpKey(), dest('10.0.0.1'));
  }, code('ERR_IPVS_DEST_EXISTS'));
  assert.throws(() => {
    table.addDest(tcpKey(81), dest('10.0.0.1'));
  }, code('ERR_IPVS_NO_SERVICE'));
  assert.throws(() => {
    table.editDest(tcpKey(), dest('10.0.0.2'));
  }, code('ERR_IPVS_NO_DEST'));
  assert.throws(() => {
    table.deleteDest(tcpKey(), { address: '10.0.0.2', port: 8080 });
  }, code('ERR_IPVS_NO_DEST'));
  assert.throws(() => {
    table.addDest(tcpKey(), dest('10.0.0.3', { weight: -1 }));
  }, code('ERR_IPVS_OUT_OF_RANGE'));
  assert.throws(() => {
    table.addDest(tcpKey(), dest('10.0.0.3', { weight: 2 ** 31 }));
  }, code('ERR_IPVS_OUT_OF_RANGE'));
  table.addDest(tcpKey(), dest('10.0.0.3', { weight: 2 ** 31 - 1 }));
  // -y without -x: l_threshold > u_threshold (0) → ERANGE.
  assert.throws(() => {
    table.addDest(tcpKey(), dest('10.0.0.4', { lThreshold: 5 }));
  }, code('ERR_IPVS_OUT_OF_RANGE'));
  assert.throws(() => {
    table.addDest(tcpKey(), dest('10.0.0.4', { uThreshold: 5, lThreshold: 6 }));
  }, code('ERR_IPVS_OUT_OF_RANGE'));
  assert.throws(() => {
    table.addDest(tcpKey(), dest('not-an-ip'));
  }, code('ERR_IPVS_INVALID'));
  assert.throws(() => {
    table.addDest(tcpKey(), dest('2001:db8::1'));
  }, code('ERR_IPVS_INVALID'));
  table.addDest(tcpKey(), dest('2001:db8::1', { family: 'inet6', method: 'tunnel' }));
  assert.throws(() => {
    table.addDest(tcpKey(), dest('10.0.0.9', { method: 'tunnel', tunnel: { type: 'gue' } }));
  }, code('ERR_IPVS_INVALID'));
});

test('new destinations go to the head of the list (kernel order)', () => {
  const { table } = newTable();
  table.addService({ key: tcpKey(), scheduler: 'rr' });
  for (const a of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) table.addDest(tcpKey(), dest(a));
  assert.deepEqual(
    table.service(tcpKey()).dests.map((d) => d.address),
    ['10.0.0.3', '10.0.0.2', '10.0.0.1'],
  );
});

test('upper threshold sets OVERLOAD after the increment; 3/4 rule clears it', () => {
  const { table, clock } = newTable();
  table.addService({ key: tcpKey(), scheduler: 'rr' });
  table.addDest(tcpKey(), dest('10.0.0.1', { uThreshold: 4 }));
  const ids: number[] = [];
  for (let i = 0; i < 4; i++) {
    const v = table.inbound(syn('1.1.1.1', 1000 + i));
    assert.ok(v.kind === 'forward');
    ids.push(v.conn);
  }
  const d = () => table.service(tcpKey()).dests[0]!;
  assert.equal(d().overloaded, true);
  assert.equal(d().activeConns, 4);
  assert.equal(table.inbound(syn('1.1.1.1', 2000)).kind, 'no-destination');
  // Expire one conn: 3 * 4 = 12 is not < 4 * 3 = 12 → still overloaded; two → cleared.
  for (const id of ids.slice(0, 2)) {
    table.packet(id, 'in', 0x10, 40); // ACK → ESTABLISHED
    table.packet(id, 'in', 0x04, 40); // RST → CLOSE (10 s)
  }
  table.advance(clock.advance(10_000));
  assert.equal(d().activeConns + d().inactConns, 2);
  assert.equal(d().overloaded, false);
});

test('lower threshold: cleared only below it; edits raising u_threshold clear it', () => {
  const { table, clock } = newTable();
  table.addService({ key: tcpKey(), scheduler: 'rr' });
  table.addDest(tcpKey(), dest('10.0.0.1', { uThreshold: 3, lThreshold: 1 }));
  const ids: number[] = [];
  for (let i = 0; i < 3; i++) {
    const v = table.inbound(syn('1.1.1.1', 1000 + i));
    if (v.kind === 'forward') ids.push(v.conn);
  }
  const d = () => table.service(tcpKey()).dests[0]!;
  assert.equal(d().overloaded, true);
  for (const id of ids.slice(0, 2)) {
    table.packet(id, 'in', 0x10, 40);
    table.packet(id, 'in', 0x04, 40);
  }
  table.advance(clock.advance(10_000));
  assert.equal(d().activeConns + d().inactConns, 1);
  assert.equal(d().overloaded, true, '1 is not < l_threshold 1');
  table.editDest(tcpKey(), dest('10.0.0.1', { uThreshold: 10, lThreshold: 1 }));
  assert.equal(d().overloaded, false);
});

test('weight 0: no new connections, existing ones keep flowing', () => {
  const { table } = newTable();
  table.addService({ key: tcpKey(), scheduler: 'rr' });
  table.addDest(tcpKey(), dest('10.0.0.1'));
  const first = table.inbound(syn('1.1.1.1', 1000));
  assert.equal(first.kind, 'forward');
  table.editDest(tcpKey(), dest('10.0.0.1', { weight: 0 }));
  assert.equal(table.inbound(syn('1.1.1.2', 1000)).kind, 'no-destination');
  const again = table.inbound({ ...syn('1.1.1.1', 1000), tcpFlags: 0x10 });
  assert.equal(again.kind, 'forward');
});

test('deleted destination: packets dropped, trash keeps it; re-add resurrects counters', () => {
  const { table } = newTable();
  table.addService({ key: tcpKey(), scheduler: 'rr' });
  table.addDest(tcpKey(), dest('10.0.0.1'));
  const v = table.inbound(syn('1.1.1.1', 1000));
  assert.equal(v.kind, 'forward');
  table.deleteDest(tcpKey(), { address: '10.0.0.1', port: 8080 });
  assert.equal(table.inbound({ ...syn('1.1.1.1', 1000), tcpFlags: 0x10 }).kind, 'drop');
  table.addDest(tcpKey(), dest('10.0.0.1'));
  const d = table.service(tcpKey()).dests[0]!;
  assert.equal(d.activeConns, 1);
  assert.equal(d.stats.conns, 1);
});

test('flush removes every service; connections stay until they expire', () => {
  const { table, clock } = newTable();
  table.addService({ key: tcpKey(), scheduler: 'rr' });
  table.addDest(tcpKey(), dest('10.0.0.1'));
  table.inbound(syn('1.1.1.1', 1000));
  table.flush();
  assert.equal(table.snapshot().services.length, 0);
  assert.equal(table.size, 1);
  table.advance(clock.advance(60_000));
  assert.equal(table.size, 0);
});
