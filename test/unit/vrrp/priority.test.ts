import assert from 'node:assert/strict';
import { test } from 'node:test';
import { effectivePriority, trackerContribution } from '../../../src/vrrp/priority.js';
import type { TrackerStatus } from '../../../src/vrrp/priority.js';

const iface = (up: boolean, weight: number, reverse = false): TrackerStatus => ({
  kind: 'interface',
  name: 'eth1',
  weight,
  reverse,
  up,
});
const script = (up: boolean, weight: number, reverse = false): TrackerStatus => ({
  kind: 'script',
  name: 'chk_nginx',
  weight,
  reverse,
  up,
});
const file = (value: number, weight: number, reverse = false): TrackerStatus => ({
  kind: 'file',
  name: 'tf',
  weight,
  reverse,
  value,
});

test('positive weights count while up, negative weights while down', () => {
  assert.equal(trackerContribution(script(true, 10)), 10);
  assert.equal(trackerContribution(script(false, 10)), 0);
  assert.equal(trackerContribution(script(true, -20)), 0);
  assert.equal(trackerContribution(script(false, -20)), -20);
  assert.deepEqual(effectivePriority(100, [script(true, 10), iface(false, -20)]), {
    fault: false,
    priority: 90,
  });
});

test('reverse negates the contribution; unweighted reverse faults while up', () => {
  assert.equal(trackerContribution(script(true, 10, true)), -10);
  assert.equal(trackerContribution(script(false, 10, true)), 0);
  assert.equal(trackerContribution(iface(false, -20, true)), 20);
  assert.equal(trackerContribution(iface(true, 0, true)), 'fault');
  assert.equal(trackerContribution(iface(false, 0, true)), 0);
});

test('weight 0 means FAULT when down, and names the culprit', () => {
  assert.deepEqual(effectivePriority(100, [script(true, 0), iface(false, 0)]), {
    fault: true,
    priority: 100,
    faultBy: 'interface eth1',
  });
  assert.deepEqual(effectivePriority(100, [script(true, 0)]), { fault: false, priority: 100 });
});

test('clamped to 1..254: a big negative weight loses elections but never faults (#942)', () => {
  assert.deepEqual(effectivePriority(100, [script(false, -200)]), { fault: false, priority: 1 });
  assert.deepEqual(effectivePriority(250, [script(true, 50)]), { fault: false, priority: 254 });
});

test('an address owner (255) keeps 255 whatever the weights; unweighted faults still apply', () => {
  assert.deepEqual(effectivePriority(255, [script(false, -50)]), { fault: false, priority: 255 });
  assert.equal(effectivePriority(255, [iface(false, 0)]).fault, true);
});

test('track_file adds value × weight; weight 0 faults on non-zero; −254 or less faults', () => {
  assert.equal(trackerContribution(file(3, 10)), 30);
  assert.equal(trackerContribution(file(-2, 10)), -20);
  assert.equal(trackerContribution(file(2, 10, true)), -20);
  assert.equal(trackerContribution(file(0, 0)), 0);
  assert.equal(trackerContribution(file(1, 0)), 'fault');
  assert.equal(trackerContribution(file(0, 0, true)), 'fault');
  assert.equal(trackerContribution(file(-254, 1)), 'fault');
  assert.equal(trackerContribution(file(1000, 1)), 253);
  assert.deepEqual(effectivePriority(100, [file(3, 10)]), { fault: false, priority: 130 });
});
