import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TimerWheel } from '../../../src/ipvs/timer-wheel.js';

test('entries expire exactly when now >= expiresAt, across rotations and big jumps', () => {
  const w = new TimerWheel(0, 8);
  w.arm(0, 1500);
  w.arm(1, 1_500_000); // more than one rotation (1024 s) ahead
  w.arm(2, 31 * 86_400_000); // 31 days
  w.arm(3, 1499);
  assert.deepEqual(w.collectDue(1498), []);
  assert.deepEqual(w.collectDue(1499), [3]);
  assert.deepEqual(w.collectDue(1500), [0]);
  assert.deepEqual(
    w.collectDue(1_024_000 + 1500),
    [],
    'one rotation later the far entry is not due',
  );
  assert.deepEqual(w.collectDue(1_500_000), [1]);
  assert.deepEqual(w.collectDue(10 * 86_400_000), []);
  assert.deepEqual(w.collectDue(31 * 86_400_000), [2]);
});

test('re-arming moves an entry; cancel removes it; capacity grows', () => {
  const w = new TimerWheel(0, 2);
  w.arm(0, 1000);
  w.arm(1, 1000);
  w.arm(0, 5000);
  w.cancel(1);
  assert.equal(w.isArmed(1), false);
  assert.deepEqual(w.collectDue(4999), []);
  w.ensureCapacity(4);
  w.arm(3, 2000);
  w.arm(0, 1000); // shortened below the time already scanned: still found
  assert.deepEqual(w.collectDue(5000).sort(), [0, 3]);
});
