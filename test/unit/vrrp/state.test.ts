import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initialState, nextDeadline, step } from '../../../src/vrrp/state.js';
import { paramsFromConfig } from '../../../src/vrrp/params.js';
import type { VrrpInstance } from '../../../src/config/model.js';
import { globalDefs } from '../../helpers/config.js';
import { Driver, logs, masterDriver, params, trace } from '../../helpers/vrrp-state.js';

test('start: BACKUP (init) with the full Master_Down_Interval', () => {
  const d = new Driver(params());
  assert.deepEqual(trace(d.at(0, { type: 'start' })), [
    'log:(VI_1) Entering BACKUP STATE (init)',
    'notify:BACKUP',
  ]);
  assert.equal(d.s.state, 'BACKUP');
  assert.equal(d.s.downAt, 3609.375);
  assert.equal(nextDeadline(d.s), 3609.375);

  const v3 = new Driver(params({ version: 3, advertIntCs: 10, basePriority: 90 }));
  v3.at(1000, { type: 'start' });
  assert.equal(v3.s.downAt, 1000 + 364.843);
});

test('start: the address owner (255, state MASTER) is MASTER at once', () => {
  const d = new Driver(params({ basePriority: 255, initialState: 'MASTER' }));
  assert.deepEqual(trace(d.at(0, { type: 'start' })), [
    'send-advert:255',
    'log:(VI_1) Entering MASTER STATE',
    'add-vips',
    'garp:master',
    'notify:MASTER',
  ]);
  assert.equal(d.s.state, 'MASTER');
  assert.equal(d.s.advertAt, 1000);
  assert.equal(d.s.garpAt, 5000);
  assert.equal(nextDeadline(d.s), 1000);
  assert.equal(d.s.counters.becomeMaster, 1);
});

// keepalived 2.2.7 measured alone on a LAN: `state MASTER priority 150` at advert_int 1 became
// master 3.414 s after start, the full Master_Down_Interval (bench/failover harness).
test('start: state MASTER below 255 waits the full master-down interval in BACKUP', () => {
  const d = new Driver(params({ initialState: 'MASTER' }));
  assert.deepEqual(logs(d.at(0, { type: 'start' })), ['info: (VI_1) Entering BACKUP STATE (init)']);
  assert.equal(d.s.downAt, 3609.375);
  assert.deepEqual(d.at(3609.3, { type: 'timer' }), []);
  assert.deepEqual(trace(d.at(3609.375, { type: 'timer' })).slice(0, 2), [
    'log:(VI_1) Receive advertisement timeout',
    'send-advert:100',
  ]);
  assert.equal(d.s.state, 'MASTER');

  const v3 = new Driver(params({ initialState: 'MASTER', version: 3, advertIntCs: 10 }));
  v3.at(0, { type: 'start' });
  assert.equal(v3.s.downAt, 360.937);
});

test('start: faulty ⇒ FAULT (init), no timers; adverts are ignored', () => {
  const p = params();
  const d = new Driver(p, initialState(p, { faulty: true }));
  assert.deepEqual(trace(d.at(0, { type: 'start' })), [
    'log:(VI_1) Entering FAULT STATE (init)',
    'notify:FAULT',
  ]);
  assert.equal(d.s.state, 'FAULT');
  assert.equal(nextDeadline(d.s), undefined);
  assert.deepEqual(d.advert(10, '10.0.0.2', 50), []);
  assert.equal(d.s.state, 'FAULT');
});

test('fault and priority events before start are only recorded', () => {
  const d = new Driver(params());
  assert.deepEqual(d.at(0, { type: 'fault', faulty: true }), []);
  assert.deepEqual(d.at(0, { type: 'priority', effective: 80 }), []);
  assert.equal(d.s.state, 'INIT');
  assert.equal(d.s.effectivePriority, 80);
  d.at(0, { type: 'start' });
  assert.equal(d.s.state, 'FAULT');
});

test('step never mutates its input and repeated start is a no-op', () => {
  const p = params();
  const s0 = initialState(p);
  const snapshot = structuredClone(s0);
  const r = step(p, s0, { type: 'start' }, 0);
  assert.deepEqual(s0, snapshot);
  assert.deepEqual(step(p, r.state, { type: 'start' }, 5).actions, []);
});

test('priority change in BACKUP shifts the running down timer by the MDI difference', () => {
  const d = new Driver(params());
  d.at(0, { type: 'start' });
  d.advert(1000, '10.0.0.2', 150);
  assert.equal(d.s.downAt, 1000 + 3609.375);
  assert.deepEqual(logs(d.at(1500, { type: 'priority', effective: 90 })), [
    'info: (VI_1) Changing effective priority from 100 to 90',
  ]);
  assert.equal(d.s.downAt, 1000 + 3609.375 + (648.437 - 609.375));
  d.at(1600, { type: 'priority', effective: 128 });
  assert.equal(d.s.downAt, 1000 + 3609.375 + (648.437 - 609.375) + (500 - 648.437));
  assert.deepEqual(d.at(1700, { type: 'priority', effective: 128 }), []);
});

test('priority change as MASTER: only the next advert carries it', () => {
  const d = masterDriver();
  assert.deepEqual(trace(d.at(100, { type: 'priority', effective: 80 })), [
    'log:(VI_1) Changing effective priority from 100 to 80',
  ]);
  assert.equal(d.s.state, 'MASTER');
  assert.deepEqual(trace(d.at(1000, { type: 'timer' })), ['send-advert:80']);
});

test('fault while MASTER: log, priority-0 advert, VIPs removed, notify; cleared ⇒ BACKUP', () => {
  const d = masterDriver();
  assert.deepEqual(trace(d.at(500, { type: 'fault', faulty: true })), [
    'log:(VI_1) Entering FAULT STATE',
    'send-advert:0',
    'remove-vips',
    'notify:FAULT',
  ]);
  assert.equal(d.s.state, 'FAULT');
  assert.equal(nextDeadline(d.s), undefined);
  assert.equal(d.s.counters.priorityZeroSent, 1);
  assert.equal(d.s.counters.releaseMaster, 1);
  assert.deepEqual(d.at(600, { type: 'fault', faulty: true }), []);
  assert.deepEqual(trace(d.at(2000, { type: 'fault', faulty: false })), [
    'log:(VI_1) Entering BACKUP STATE',
    'notify:BACKUP',
  ]);
  assert.equal(d.s.state, 'BACKUP');
  assert.equal(d.s.downAt, 2000 + 3609.375);
});

test('fault while BACKUP stops the down timer; an owner leaves FAULT straight to MASTER', () => {
  const d = new Driver(params());
  d.at(0, { type: 'start' });
  assert.deepEqual(trace(d.at(10, { type: 'fault', faulty: true })), [
    'log:(VI_1) Entering FAULT STATE',
    'notify:FAULT',
  ]);
  assert.deepEqual(d.at(5000, { type: 'timer' }), []);

  const o = new Driver(params({ basePriority: 255, initialState: 'MASTER' }));
  o.at(0, { type: 'start' });
  o.at(10, { type: 'fault', faulty: true });
  assert.deepEqual(trace(o.at(20, { type: 'fault', faulty: false })), [
    'send-advert:255',
    'log:(VI_1) Entering MASTER STATE',
    'add-vips',
    'garp:master',
    'notify:MASTER',
  ]);
});

test('shutdown: MASTER sends priority 0, drops VIPs, notifies STOP; others only notify', () => {
  const d = masterDriver();
  assert.deepEqual(trace(d.at(10, { type: 'shutdown' })), [
    'send-advert:0',
    'log:(VI_1) sent 0 priority',
    'remove-vips',
    'notify:STOP',
  ]);
  assert.deepEqual(logs(d.all), ['debug: (VI_1) sent 0 priority']);
  assert.equal(d.s.state, 'STOP');
  assert.equal(nextDeadline(d.s), undefined);
  assert.deepEqual(d.at(20, { type: 'shutdown' }), []);
  assert.deepEqual(d.advert(30, '10.0.0.2', 200), []);

  const b = new Driver(params());
  b.at(0, { type: 'start' });
  assert.deepEqual(trace(b.at(10, { type: 'shutdown' })), ['notify:STOP']);
  assert.equal(nextDeadline(b.s), undefined);
});

test('paramsFromConfig converts seconds and applies vrrp_min_garp', () => {
  const inst = {
    name: 'VI_1',
    state: 'BACKUP',
    virtualRouterId: 51,
    priority: 90,
    advertInt: 0.1,
    version: 3,
    nopreempt: false,
    preemptDelay: 2.5,
    garpMasterDelay: 5,
    garpMasterRepeat: 5,
    garpMasterRefresh: 60,
    garpMasterRefreshRepeat: 2,
    garpLowerPrioDelay: 5,
    garpLowerPrioRepeat: 3,
    downTimerAdverts: 4,
    lowerPrioNoAdvert: true,
    higherPrioSendAdvert: false,
    unicastSrcIp: '192.168.1.2',
    unicastPeer: [{ address: '192.168.1.3' }],
    syncGroup: 'G1',
  } as unknown as VrrpInstance;
  assert.deepEqual(paramsFromConfig(inst, globalDefs()), {
    name: 'VI_1',
    version: 3,
    vrid: 51,
    basePriority: 90,
    advertIntCs: 10,
    initialState: 'BACKUP',
    nopreempt: false,
    preemptDelayMs: 2500,
    downTimerAdverts: 4,
    lowerPrioNoAdvert: true,
    higherPrioSendAdvert: false,
    garpMasterDelayMs: 5000,
    garpMasterRepeat: 5,
    garpMasterRefreshMs: 60000,
    garpMasterRefreshRepeat: 2,
    garpLowerPrioDelayMs: 5000,
    garpLowerPrioRepeat: 3,
    ownAddress: '192.168.1.2',
    unicast: true,
    syncGroup: 'G1',
  });
  const min = paramsFromConfig(inst, globalDefs({ vrrpMinGarp: true }));
  assert.equal(min.garpMasterDelayMs, 0);
  assert.equal(min.garpMasterRepeat, 1);
  const noSrc = paramsFromConfig(
    { ...inst, unicastSrcIp: undefined, unicastPeer: [] } as never,
    globalDefs(),
  );
  assert.equal('ownAddress' in noSrc, false);
  assert.equal(noSrc.unicast, false);
});
