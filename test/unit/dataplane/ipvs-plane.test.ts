// The kernel IPVS data plane against an in-memory kernel (test/helpers/ipvs/fake-kernel.ts):
// which netlink requests each table change costs (none for what did not change), the kernel's
// destination order, adoption of configured services at start and ownership at stop, repair
// when the kernel is not as programmed, counters read back into the table, timeouts and the
// connection-sync daemons. The real kernel is the VM suite's business (test/vm).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IpvsDataPlane } from '../../../src/dataplane/ipvs/plane.js';
import { IpvsTable, schedulerFactory, type ServiceKey } from '../../../src/ipvs/index.js';
import { ManualClock } from '../../../src/lib/clock.js';
import { createLogger, memorySink } from '../../../src/lib/log.js';
import type { IpvsServiceKey } from '../../../src/sys/ipvs-netlink.js';
import { FakeKernel } from '../../helpers/ipvs/fake-kernel.js';

const VIP = '10.0.0.100';
const WEB: ServiceKey = { kind: 'ip', protocol: 'TCP', family: 'inet', address: VIP, port: 80 };
const WEB_K: IpvsServiceKey = { family: 'inet', fwmark: 0, protocol: 6, address: VIP, port: 80 };
const WEB_ID = `6|inet|${VIP}|80`;

function setup(opts: { release?: boolean; kernel?: FakeKernel } = {}) {
  const clock = new ManualClock(0);
  const table = new IpvsTable({ now: () => clock.now(), schedulers: schedulerFactory });
  const kernel = opts.kernel ?? new FakeKernel();
  const sink = memorySink();
  const plane = new IpvsDataPlane({
    table,
    kernel,
    clock,
    log: createLogger({ level: 'debug', write: sink.write }),
    ...(opts.release === undefined ? {} : { release: opts.release }),
    readConns: () => undefined,
  });
  const sync = (): string[] => {
    kernel.reset();
    plane.sync(table.snapshot().services);
    return kernel.calls.filter((c) => !c.startsWith('get-'));
  };
  return { clock, table, kernel, plane, sink, sync };
}

function addWeb(table: IpvsTable, dests: readonly string[], sched = 'wlc' as const): void {
  table.addService({ key: WEB, scheduler: sched });
  for (const a of dests) table.addDest(WEB, { address: a, port: 80, weight: 1, method: 'route' });
}

test('the first sync creates services, then destinations oldest first: the kernel ends in the table order', () => {
  const { table, kernel, sync } = setup();
  addWeb(table, ['10.0.1.1', '10.0.1.2', '10.0.1.3']);
  assert.deepEqual(sync(), [
    `new-service ${WEB_ID} wlc`,
    `new-dest ${WEB_ID} inet|10.0.1.1|80 w1`,
    `new-dest ${WEB_ID} inet|10.0.1.2|80 w1`,
    `new-dest ${WEB_ID} inet|10.0.1.3|80 w1`,
  ]);
  const kernelOrder = kernel.find(WEB_K)?.dests.map((d) => d.address);
  const tableOrder = table.snapshot().services[0]?.dests.map((d) => d.address);
  assert.deepEqual(kernelOrder, tableOrder);
  assert.deepEqual(kernelOrder, ['10.0.1.3', '10.0.1.2', '10.0.1.1']);
});

test('a sync sends only what changed: nothing, one weight, one removal, one scheduler', () => {
  const { table, sync } = setup();
  addWeb(table, ['10.0.1.1', '10.0.1.2']);
  sync();
  assert.deepEqual(sync(), []);
  table.editDest(WEB, { address: '10.0.1.2', port: 80, weight: 0, method: 'route' });
  assert.deepEqual(sync(), [`set-dest ${WEB_ID} inet|10.0.1.2|80 w0`]);
  table.deleteDest(WEB, { address: '10.0.1.1', port: 80 });
  assert.deepEqual(sync(), [`del-dest ${WEB_ID} inet|10.0.1.1|80`]);
  table.editService({ key: WEB, scheduler: 'rr' });
  assert.deepEqual(sync(), [`set-service ${WEB_ID} rr`]);
  table.deleteService(WEB);
  assert.deepEqual(sync(), [`del-service ${WEB_ID}`]);
});

test('persistence, fwmark, IPv6 and tunnel settings reach the kernel as ip_vs.h wants them', () => {
  const { table, kernel, sync } = setup();
  table.addService({
    key: WEB,
    scheduler: 'sh',
    persistence: { timeout: 600, netmask: 24 },
    sched1: true,
  });
  table.addService({
    key: { kind: 'fwmark', family: 'inet6', fwmark: 7 },
    scheduler: 'rr',
    persistence: { timeout: 60, netmask: 64 },
  });
  table.addDest(WEB, {
    address: '10.0.1.9',
    port: 80,
    weight: 3,
    method: 'tunnel',
    uThreshold: 100,
    lThreshold: 10,
    tunnel: { type: 'gue', port: 6080, csum: 'csum' },
  });
  sync();
  const web = kernel.find(WEB_K);
  assert.deepEqual(
    [web?.spec.scheduler, web?.spec.flags, web?.spec.timeout, web?.spec.netmask],
    ['sh', 0x1 | 0x2 | 0x8, 600, 0xffffff00],
  );
  assert.deepEqual(
    web?.dests.map((d) => [
      d.fwdMethod,
      d.weight,
      d.uThreshold,
      d.lThreshold,
      d.tunType,
      d.tunPort,
      d.tunFlags,
    ]),
    [[2, 3, 100, 10, 1, 6080, 1]],
  );
  const fwm = kernel.table.get('FWM|inet6|7');
  assert.deepEqual([fwm?.spec.netmask, fwm?.spec.timeout], [64, 60]);
});

test('at start, a configured service already in the kernel is adopted; foreign ones are left alone', () => {
  const kernel = new FakeKernel();
  kernel.newService({ ...WEB_K, scheduler: 'rr', flags: 0, timeout: 0, netmask: 0xffffffff });
  kernel.newDest(WEB_K, {
    family: 'inet',
    address: '10.0.1.1',
    port: 80,
    fwdMethod: 3,
    weight: 1,
    uThreshold: 0,
    lThreshold: 0,
  });
  kernel.newDest(WEB_K, {
    family: 'inet',
    address: '10.0.1.7',
    port: 80,
    fwdMethod: 3,
    weight: 1,
    uThreshold: 0,
    lThreshold: 0,
  });
  const other = { ...WEB_K, port: 443 };
  kernel.newService({ ...other, scheduler: 'rr', flags: 0, timeout: 0, netmask: 0xffffffff });
  const { table, sync, sink, plane } = setup({ kernel });
  addWeb(table, ['10.0.1.1', '10.0.1.2']);
  // The kept destination is not touched, so its connections carry on.
  assert.deepEqual(sync(), [
    `set-service ${WEB_ID} wlc`,
    `del-dest ${WEB_ID} inet|10.0.1.7|80`,
    `new-dest ${WEB_ID} inet|10.0.1.2|80 w1`,
  ]);
  assert.ok(kernel.find(other) !== undefined);
  assert.ok(sink.records.some((r) => r.msg.includes('adopted')));
  assert.equal(plane.stats().kernel?.adopted, 1);
});

test('lvs_flush empties the kernel table before the first sync', () => {
  const kernel = new FakeKernel();
  kernel.newService({
    ...WEB_K,
    port: 443,
    scheduler: 'rr',
    flags: 0,
    timeout: 0,
    netmask: 0xffffffff,
  });
  const { table, plane, sync } = setup({ kernel });
  plane.configure({ flushAtStart: true, flushOnStop: false, syncDaemons: [] });
  addWeb(table, ['10.0.1.1']);
  assert.deepEqual(sync().slice(0, 2), ['flush', `new-service ${WEB_ID} wlc`]);
  assert.equal(kernel.table.size, 1);
});

test('close removes only what tandem programmed; -I leaves it; lvs_flush_on_stop flushes all', async () => {
  const foreignKey = { ...WEB_K, port: 443 };
  const foreign = { ...foreignKey, scheduler: 'rr', flags: 0, timeout: 0, netmask: 0xffffffff };
  for (const mode of ['release', 'keep', 'flush'] as const) {
    const kernel = new FakeKernel();
    kernel.newService(foreign);
    const { table, plane, sync } = setup({ kernel, release: mode !== 'keep' });
    if (mode === 'flush')
      plane.configure({ flushAtStart: false, flushOnStop: true, syncDaemons: [] });
    addWeb(table, ['10.0.1.1']);
    sync();
    await plane.close();
    const left = [...kernel.table.keys()].sort();
    const want = {
      release: ['6|inet|10.0.0.100|443'],
      keep: ['6|inet|10.0.0.100|443', WEB_ID],
      flush: [],
    }[mode];
    assert.deepEqual(left, want, mode);
    assert.equal(kernel.closed, true);
  }
});

test('a service that appeared in the kernel meanwhile (EEXIST) is adopted and brought in line', () => {
  const { table, kernel, sync } = setup();
  sync();
  kernel.newService({ ...WEB_K, scheduler: 'rr', flags: 0, timeout: 0, netmask: 0xffffffff });
  kernel.newDest(WEB_K, {
    family: 'inet',
    address: '10.0.1.9',
    port: 80,
    fwdMethod: 3,
    weight: 1,
    uThreshold: 0,
    lThreshold: 0,
  });
  addWeb(table, ['10.0.1.1']);
  sync();
  const web = kernel.find(WEB_K);
  assert.equal(web?.spec.scheduler, 'wlc');
  assert.deepEqual(
    web?.dests.map((d) => d.address),
    ['10.0.1.1'],
  );
});

test('a refused change is logged once and retried at each poll until the kernel takes it', () => {
  const { table, kernel, sync, sink, clock, plane } = setup();
  addWeb(table, ['10.0.1.1']);
  kernel.failures.set('new-service', 'ENOMEM');
  // The destinations of a service that failed are not even tried.
  assert.deepEqual(sync(), [`new-service ${WEB_ID} wlc`]);
  assert.equal(plane.stats().kernel?.pending, true);
  const errors = () => sink.records.filter((r) => r.msg.startsWith('kernel IPVS request failed'));
  assert.equal(errors().length, 1);
  clock.advance(2000);
  assert.deepEqual(
    kernel.find(WEB_K)?.dests.map((d) => d.address),
    ['10.0.1.1'],
  );
  assert.equal(errors().length, 1);
  assert.equal(plane.stats().kernel?.pending, false);
});

test('an unknown scheduler (ENOENT) keeps failing without flooding the log', () => {
  const { table, sync, sink, clock } = setup();
  addWeb(table, ['10.0.1.1'], 'twos' as 'wlc');
  sync();
  clock.advance(10_000);
  const errors = sink.records.filter((r) => r.msg.startsWith('kernel IPVS request failed'));
  assert.equal(errors.length, 1);
  assert.equal(errors[0]?.code, 'ENOENT');
});

test('counters and connection counts are read back into the table', () => {
  const { table, kernel, sync, clock } = setup();
  addWeb(table, ['10.0.1.1', '10.0.1.2']);
  sync();
  const d1 = { family: 'inet' as const, address: '10.0.1.1', port: 80 };
  kernel.count(
    WEB_K,
    d1,
    { conns: 5, inpkts: 50, outpkts: 40, inbytes: 5000, outbytes: 4000 },
    { active: 3, inact: 2 },
  );
  clock.advance(2000);
  let svc = table.snapshot().services[0];
  let dest = svc?.dests.find((d) => d.address === '10.0.1.1');
  assert.deepEqual(dest?.stats, {
    conns: 5,
    inpkts: 50,
    outpkts: 40,
    inbytes: 5000,
    outbytes: 4000,
  });
  assert.deepEqual([dest?.activeConns, dest?.inactConns], [3, 2]);
  assert.equal(svc?.stats.conns, 5);
  // The next read adds only what is new; a kernel zero (ipvsadm -Z) restarts from its count.
  kernel.count(WEB_K, d1, { conns: 1 });
  clock.advance(2000);
  kernel.zero(WEB_K);
  kernel.count(WEB_K, d1, { conns: 2 });
  clock.advance(2000);
  svc = table.snapshot().services[0];
  dest = svc?.dests.find((d) => d.address === '10.0.1.1');
  assert.equal(dest?.stats.conns, 8);
});

test('-Z through the plane zeroes the kernel as well, and the next read counts from zero', () => {
  const { table, kernel, sync, clock, plane } = setup();
  addWeb(table, ['10.0.1.1']);
  sync();
  const d1 = { family: 'inet' as const, address: '10.0.1.1', port: 80 };
  kernel.count(WEB_K, d1, { conns: 4 });
  clock.advance(2000);
  table.zero(WEB);
  assert.deepEqual(plane.adminHooks().zero?.(WEB), undefined);
  assert.equal(kernel.find(WEB_K)?.dests[0]?.stats.conns, 0);
  kernel.count(WEB_K, d1, { conns: 1 });
  clock.advance(2000);
  assert.equal(table.snapshot().services[0]?.dests[0]?.stats.conns, 1);
});

test("a destination removed behind tandem's back is put back at the next poll", () => {
  const { table, kernel, sync, clock, sink } = setup();
  addWeb(table, ['10.0.1.1', '10.0.1.2']);
  sync();
  kernel.delDest(WEB_K, { family: 'inet', address: '10.0.1.2', port: 80 });
  kernel.delService({ ...WEB_K, port: 81 });
  clock.advance(2000);
  assert.deepEqual(
    kernel
      .find(WEB_K)
      ?.dests.map((d) => d.address)
      .sort(),
    ['10.0.1.1', '10.0.1.2'],
  );
  assert.ok(sink.records.some((r) => r.msg.includes('changed outside tandem')));
  kernel.delService(WEB_K);
  clock.advance(2000);
  assert.equal(kernel.find(WEB_K)?.dests.length, 2);
});

test("timeouts: the kernel's stand until the table changes them, then only the changed ones go", () => {
  const kernel = new FakeKernel();
  kernel.timeoutsNow = { tcp: 7200, tcpfin: 60, udp: 120 };
  const { table, sync } = setup({ kernel });
  sync();
  assert.deepEqual(table.timeouts(), { tcp: 7200, tcpfin: 60, udp: 120 });
  table.setTimeouts({ udp: 30 });
  assert.deepEqual(sync(), ['set-config 0 0 30']);
  assert.deepEqual(sync(), []);
});

test('sync daemons: started as configured, switched with the VRRP role, stopped at close', async () => {
  const { plane, kernel, sync } = setup();
  sync();
  const backup = { state: 'backup' as const, mcastInterface: 'eth1', syncId: 51, mcastPort: 8848 };
  kernel.reset();
  plane.configure({ flushAtStart: false, flushOnStop: false, syncDaemons: [backup] });
  assert.deepEqual(
    kernel.calls.filter((c) => !c.startsWith('get')),
    ['new-daemon backup eth1 51'],
  );
  kernel.reset();
  plane.configure({ flushAtStart: false, flushOnStop: false, syncDaemons: [backup] });
  assert.deepEqual(
    kernel.calls.filter((c) => !c.startsWith('get')),
    [],
  );
  kernel.reset();
  plane.configure({
    flushAtStart: false,
    flushOnStop: false,
    syncDaemons: [{ ...backup, state: 'master' }],
  });
  assert.deepEqual(
    kernel.calls.filter((c) => !c.startsWith('get')),
    ['del-daemon backup', 'new-daemon master eth1 51'],
  );
  await plane.close();
  assert.equal(kernel.running.size, 0);
});

test('a daemon someone else started is replaced only when the configuration wants that state', () => {
  const kernel = new FakeKernel();
  kernel.startDaemon({ state: 'master', mcastInterface: 'eth9', syncId: 1 });
  const { plane, sync } = setup({ kernel });
  plane.configure({
    flushAtStart: false,
    flushOnStop: false,
    syncDaemons: [{ state: 'backup', mcastInterface: 'eth1', syncId: 2 }],
  });
  sync();
  assert.deepEqual([...kernel.running.keys()].sort(), ['backup', 'master']);
});

test('status facts of the plane', () => {
  const { table, sync, plane } = setup();
  addWeb(table, ['10.0.1.1', '10.0.1.2']);
  sync();
  const k = plane.stats().kernel;
  assert.deepEqual([k?.services, k?.dests, k?.failures, plane.kind], [1, 2, 0, 'ipvs']);
});
