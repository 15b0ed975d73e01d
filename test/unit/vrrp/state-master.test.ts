import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareAddresses } from '../../../src/vrrp/state-master.js';
import { nextDeadline } from '../../../src/vrrp/state.js';
import { Driver, logs, masterDriver, params, trace } from '../../helpers/vrrp-state.js';

test('compareAddresses is numeric for IPv4 and IPv6; mixed or unknown compare equal', () => {
  assert.equal(compareAddresses('10.0.0.10', '10.0.0.9'), 1); // not string order
  assert.equal(compareAddresses('9.0.0.1', '10.0.0.1'), -1);
  assert.equal(compareAddresses('192.168.1.1', '192.168.1.1'), 0);
  assert.equal(compareAddresses('fe80::10', 'fe80::9'), 1);
  assert.equal(compareAddresses('fe80::1', 'fe80:0:0:0::1'), 0);
  assert.equal(compareAddresses('2001:db8::1', 'fe80::1'), -1);
  assert.equal(compareAddresses('10.0.0.1', 'fe80::1'), 0);
  assert.equal(compareAddresses('10.0.0.1', undefined), 0);
});

test('advert timer: from the ideal time when a little late, from now when very late', () => {
  const d = masterDriver();
  assert.equal(nextDeadline(d.s), 1000);
  assert.deepEqual(trace(d.at(1000, { type: 'timer' })), ['send-advert:100']);
  // 2 ms late (the event loop's usual lateness): the next one is still due at 3000.
  assert.deepEqual(trace(d.at(2002, { type: 'timer' })), ['send-advert:100']);
  assert.equal(d.s.advertAt, 3000);
  // 600 ms late: more than half an interval, so no catch-up advert 400 ms later.
  assert.deepEqual(trace(d.at(3600, { type: 'timer' })), ['send-advert:100']);
  assert.equal(d.s.advertAt, 4600);
  assert.deepEqual(d.at(4500, { type: 'timer' }), []);
});

test('delayed GARP burst at garp_master_delay, refresh every garp_master_refresh', () => {
  const d = masterDriver({ garpMasterRefreshMs: 3000 });
  assert.deepEqual(trace(d.at(3000, { type: 'timer' })), ['send-advert:100', 'garp:refresh']);
  assert.equal(d.s.garpRefreshAt, 6000);
  assert.deepEqual(trace(d.at(5000, { type: 'timer' })), ['send-advert:100', 'garp:delayed']);
  assert.equal(d.s.garpAt, undefined);
});

test('priority 0 received: advertise at once and stay MASTER', () => {
  const d = masterDriver();
  assert.deepEqual(trace(d.advert(300, '10.0.0.2', 0)), [
    'send-advert:100',
    'log:(VI_1) Master received priority 0 message',
  ]);
  assert.deepEqual(logs(d.all), ['debug: (VI_1) Master received priority 0 message']);
  assert.equal(d.s.state, 'MASTER');
  assert.equal(d.s.counters.priorityZeroReceived, 1);
});

test('lower priority received: force a new election, notify_master_rx_lower_pri', () => {
  const d = masterDriver();
  assert.deepEqual(trace(d.advert(300, '10.0.0.2', 90)), [
    'log:(VI_1) Received advert from 10.0.0.2 with lower priority 90, ours 100, forcing new election',
    'send-advert:100',
    'notify:MASTER_RX_LOWER_PRI',
  ]);
  assert.equal(logs(d.all)[0]?.startsWith('info: '), true);
  assert.equal(d.s.state, 'MASTER');
});

test('lower_prio_no_advert: no advert, and keepalived drops the "forcing" words', () => {
  const d = masterDriver({ lowerPrioNoAdvert: true });
  assert.deepEqual(trace(d.advert(300, '10.0.0.2', 90)), [
    'log:(VI_1) Received advert from 10.0.0.2 with lower priority 90, ours 100',
    'notify:MASTER_RX_LOWER_PRI',
  ]);
});

test('garp_lower_prio_repeat: a GARP burst now and another after garp_lower_prio_delay', () => {
  const d = masterDriver({ garpLowerPrioRepeat: 3, garpLowerPrioDelayMs: 2500 });
  assert.deepEqual(trace(d.advert(300, '10.0.0.2', 90)).slice(1), [
    'send-advert:100',
    'garp:lower-prio',
    'notify:MASTER_RX_LOWER_PRI',
  ]);
  assert.equal(d.s.garpLowerPrioAt, 2800);
  d.at(1000, { type: 'timer' });
  d.at(2000, { type: 'timer' });
  assert.deepEqual(trace(d.at(2800, { type: 'timer' })), ['garp:lower-prio']);
  assert.equal(d.s.garpLowerPrioAt, undefined);
});

test('equal priority: the lower sender address loses, the higher one wins', () => {
  const d = masterDriver({ ownAddress: '10.0.0.10' });
  assert.deepEqual(logs(d.advert(300, '10.0.0.9', 100)), [
    'info: (VI_1) Received advert from 10.0.0.9 with lower priority 100, ours 100, forcing new election',
  ]);
  assert.equal(d.s.state, 'MASTER');
  assert.deepEqual(trace(d.advert(400, '10.0.0.11', 100)), [
    'log:(VI_1) Master received advert from 10.0.0.11 with same priority 100 but higher IP address than ours',
    'log:(VI_1) Entering BACKUP STATE',
    'remove-vips',
    'notify:BACKUP',
  ]);
  assert.equal(d.s.state, 'BACKUP');
  assert.equal(d.s.downAt, 400 + 3609.375);
  assert.equal(d.s.masterAddress, '10.0.0.11');
  assert.equal(nextDeadline(d.s), 400 + 3609.375);
});

test('equal priority over IPv6 compares the 128-bit addresses', () => {
  const d = masterDriver({ version: 3, ownAddress: 'fe80::a' });
  d.advert(100, 'fe80::9', 100);
  assert.equal(d.s.state, 'MASTER');
  d.advert(200, 'fe80::b', 100);
  assert.equal(d.s.state, 'BACKUP');
});

test('equal priority from our own address only warns', () => {
  const d = masterDriver();
  assert.deepEqual(trace(d.advert(300, '10.0.0.1', 100)), [
    'log:(VI_1) WARNING - equal priority advert received from remote host with our IP address.',
  ]);
  assert.equal(d.s.state, 'MASTER');
});

test('higher priority received ⇒ BACKUP with the full MDI', () => {
  const d = masterDriver();
  assert.deepEqual(trace(d.advert(300, '10.0.0.2', 150)), [
    'log:(VI_1) Master received advert from 10.0.0.2 with higher priority 150, ours 100',
    'log:(VI_1) Entering BACKUP STATE',
    'remove-vips',
    'notify:BACKUP',
  ]);
  assert.deepEqual(logs(d.all), [
    'info: (VI_1) Master received advert from 10.0.0.2 with higher priority 150, ours 100',
    'info: (VI_1) Entering BACKUP STATE',
  ]);
  assert.equal(d.s.state, 'BACKUP');
  assert.equal(d.s.wantState, 'BACKUP');
  assert.equal(d.s.advertAt, undefined);
  assert.equal(d.s.garpAt, undefined);
  assert.equal(d.s.downAt, 300 + 3609.375);
  assert.equal(d.s.masterPriority, 150);
  assert.equal(d.s.counters.releaseMaster, 1);
});

test('higher_prio_send_advert sends one more advert before yielding', () => {
  const d = masterDriver({ higherPrioSendAdvert: true });
  assert.deepEqual(trace(d.advert(300, '10.0.0.2', 150)).slice(0, 2), [
    'send-advert:100',
    'log:(VI_1) Master received advert from 10.0.0.2 with higher priority 150, ours 100',
  ]);
  assert.equal(d.s.state, 'BACKUP');
});

test('v3: a yielding master adopts the new master interval for its down timer', () => {
  const d = masterDriver({ version: 3, advertIntCs: 10 });
  d.advert(50, '10.0.0.2', 150, 20);
  assert.equal(d.s.masterAdverIntCs, 20);
  assert.equal(d.s.downAt, 50 + 600 + 121.875);
});

test('two address owners: keepalived 2.2.7 logs, drops itself to 254 and yields', () => {
  const d = new Driver(params({ basePriority: 255, initialState: 'MASTER' }));
  d.at(0, { type: 'start' });
  d.all.length = 0;
  assert.deepEqual(logs(d.advert(500, '10.0.0.2', 255)), [
    'info: (VI_1) CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority',
    'info: (VI_1) Master received advert from 10.0.0.2 with higher priority 255, ours 254',
    'info: (VI_1) Entering BACKUP STATE',
  ]);
  assert.equal(d.s.state, 'BACKUP');
  assert.equal(d.s.effectivePriority, 254);
});

test('prio-0 fast takeover between two simulated routers', () => {
  // A (100) is master; B (90) backs it up. A shuts down; B takes over after Skew_Time only.
  const a = masterDriver({ ownAddress: '10.0.0.1' });
  const b = new Driver(params({ basePriority: 90, ownAddress: '10.0.0.2' }));
  b.at(0, { type: 'start' });
  b.advert(1000, '10.0.0.1', 100);
  const bye = a.at(1500, { type: 'shutdown' }).find((x) => x.type === 'send-advert');
  assert.deepEqual(bye, { type: 'send-advert', priority: 0 });
  b.advert(1500, '10.0.0.1', 0);
  assert.equal(nextDeadline(b.s), 1500 + 648.437);
  b.at(1500 + 648.437, { type: 'timer' });
  assert.equal(b.s.state, 'MASTER');
});
