import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextDeadline } from '../../../src/vrrp/state.js';
import { Driver, logs, params, trace } from '../../helpers/vrrp-state.js';

function backup(overrides: Parameters<typeof params>[0] = {}): Driver {
  const d = new Driver(params(overrides));
  d.at(0, { type: 'start' });
  d.all.length = 0;
  return d;
}

test('down-timer expiry ⇒ MASTER, actions in keepalived order', () => {
  const d = backup({ garpMasterRefreshMs: 60_000 });
  assert.deepEqual(d.at(3609, { type: 'timer' }), []);
  assert.equal(d.s.state, 'BACKUP');
  assert.deepEqual(trace(d.at(3609.375, { type: 'timer' })), [
    'log:(VI_1) Receive advertisement timeout',
    'send-advert:100',
    'log:(VI_1) Entering MASTER STATE',
    'add-vips',
    'garp:master',
    'notify:MASTER',
  ]);
  assert.deepEqual(logs(d.all)[0], 'debug: (VI_1) Receive advertisement timeout');
  assert.deepEqual(logs(d.all)[1], 'info: (VI_1) Entering MASTER STATE');
  assert.equal(d.s.state, 'MASTER');
  assert.equal(d.s.downAt, undefined);
  assert.equal(d.s.advertAt, 4609.375);
  assert.equal(d.s.garpAt, 3609.375 + 5000);
  assert.equal(d.s.garpRefreshAt, 3609.375 + 60_000);
});

test('garp_master_delay 0 ⇒ no second burst', () => {
  const d = backup({ garpMasterDelayMs: 0 });
  d.at(3609.375, { type: 'timer' });
  assert.equal(d.s.garpAt, undefined);
});

test('a higher or equal priority advert holds the backup down and resets the MDI', () => {
  const d = backup({ ownAddress: '10.0.0.9' });
  assert.deepEqual(d.advert(3000, '10.0.0.2', 150), []);
  assert.equal(d.s.downAt, 3000 + 3609.375);
  assert.equal(d.s.masterAddress, '10.0.0.2');
  assert.equal(d.s.masterPriority, 150);
  // Equal priority keeps a backup as backup even with a higher own address (#1440).
  assert.deepEqual(d.advert(6000, '10.0.0.2', 100), []);
  assert.equal(d.s.downAt, 6000 + 3609.375);
  d.at(9609, { type: 'timer' });
  assert.equal(d.s.state, 'BACKUP');
});

test('a lower priority advert is discarded with preempt; the backup takes over after its MDI', () => {
  const d = backup();
  d.advert(1000, '10.0.0.2', 150);
  assert.deepEqual(trace(d.advert(2000, '10.0.0.2', 90)), [
    'log:(VI_1) received lower priority (90) advert from 10.0.0.2 - discarding',
  ]);
  assert.equal(
    logs(d.all)[0],
    'info: (VI_1) received lower priority (90) advert from 10.0.0.2 - discarding',
  );
  assert.equal(d.s.downAt, 1000 + 3609.375);
  d.advert(3000, '10.0.0.2', 90);
  d.at(4609.375, { type: 'timer' });
  assert.equal(d.s.state, 'MASTER');
});

test('nopreempt accepts a lower priority master', () => {
  const d = backup({ nopreempt: true });
  assert.deepEqual(d.advert(2000, '10.0.0.2', 50), []);
  assert.equal(d.s.downAt, 2000 + 3609.375);
  assert.equal(d.s.masterPriority, 50);
});

test('preempt_delay: lower adverts accepted for D, then discarded; takeover ≈ D + MDI', () => {
  const d = backup({ preemptDelayMs: 10_000 });
  assert.deepEqual(logs(d.advert(1000, '10.0.0.2', 90)), [
    'debug: (VI_1) start preempt delay (10.000000)',
  ]);
  assert.equal(d.s.preemptDelayAt, 11_000);
  for (let t = 2000; t < 11_000; t += 1000) assert.deepEqual(d.advert(t, '10.0.0.2', 90), []);
  assert.equal(d.s.downAt, 10_000 + 3609.375);
  // The window is open while its end lies in the future (keepalived's timercmp >).
  assert.deepEqual(logs(d.advert(11_000, '10.0.0.2', 90)), [
    'info: (VI_1) received lower priority (90) advert from 10.0.0.2 - discarding',
  ]);
  assert.equal(nextDeadline(d.s), 13_609.375);
  d.at(13_609.375, { type: 'timer' });
  assert.equal(d.s.state, 'MASTER');
});

test('preempt_delay: a higher priority advert stops the pending delay', () => {
  const d = backup({ preemptDelayMs: 2500 });
  d.advert(1000, '10.0.0.2', 90);
  assert.deepEqual(logs(d.advert(2000, '10.0.0.3', 200)), ['debug: (VI_1) stop preempt delay']);
  assert.equal(d.s.preemptDelayAt, undefined);
  assert.deepEqual(logs(d.advert(3000, '10.0.0.2', 90)), [
    'debug: (VI_1) start preempt delay (2.500000)',
  ]);
});

test('priority 0 from the master ⇒ take over after Skew_Time only', () => {
  const d = backup({ basePriority: 90 });
  d.advert(1000, '10.0.0.2', 100);
  assert.deepEqual(logs(d.advert(1500, '10.0.0.2', 0)), [
    'debug: (VI_1) Backup received priority 0 advertisement',
  ]);
  assert.equal(d.s.downAt, 1500 + 648.437);
  assert.equal(d.s.counters.priorityZeroReceived, 1);
  d.at(1500 + 648.437, { type: 'timer' });
  assert.equal(d.s.state, 'MASTER');

  const v3 = backup({ version: 3, advertIntCs: 10 });
  v3.advert(0, '10.0.0.2', 0, 10);
  assert.equal(v3.s.downAt, 60.937);
});

test('v3: a backup adopts the master advert interval (Master_Adver_Interval)', () => {
  const d = backup({ version: 3, advertIntCs: 100 });
  assert.deepEqual(logs(d.advert(1000, '10.0.0.2', 150, 200)), [
    'debug: (VI_1) advertisement interval updated from 1000ms to 2000ms by master',
  ]);
  assert.equal(d.s.masterAdverIntCs, 200);
  assert.equal(d.s.downAt, 1000 + 6000 + 1218.75);
  // Becoming master goes back to our own interval.
  d.at(1000 + 7218.75, { type: 'timer' });
  assert.equal(d.s.state, 'MASTER');
  assert.equal(d.s.masterAdverIntCs, 100);
  assert.equal(d.s.advertAt, 1000 + 7218.75 + 1000);
});

test('v2 ignores the advert interval field (receive.ts already dropped mismatches)', () => {
  const d = backup();
  d.advert(1000, '10.0.0.2', 150, 200);
  assert.equal(d.s.masterAdverIntCs, 100);
});

test('down_timer_adverts scales the MDI', () => {
  const d = new Driver(params({ downTimerAdverts: 5 }));
  d.at(0, { type: 'start' });
  assert.equal(d.s.downAt, 5609.375);
});
