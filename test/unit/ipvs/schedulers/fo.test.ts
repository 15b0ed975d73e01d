import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SchedDest } from '../../../../src/ipvs/scheduler.js';
import { checkAgainstReference, harness } from './harness.js';

/** ip_vs_fo_schedule. */
function referenceFo(dests: readonly SchedDest[]): SchedDest | undefined {
  let hw: SchedDest | undefined;
  let highest = 0;
  for (const d of dests) {
    if (!d.overloaded && d.weight > highest) {
      hw = d;
      highest = d.weight;
    }
  }
  return hw;
}

describe('fo', () => {
  test('all traffic to the highest weight; fails over when it goes away', () => {
    const h = harness('fo');
    h.add('primary', 10);
    h.add('backup', 5);
    assert.deepEqual(h.picks(3), ['primary', 'primary', 'primary']);
    h.setOverloaded('primary', true);
    assert.deepEqual(h.picks(2), ['backup', 'backup']);
    h.setOverloaded('primary', false);
    h.setWeight('primary', 0);
    assert.equal(h.connect(), 'backup');
    h.remove('backup');
    assert.equal(h.connect(), undefined);
  });

  test('ties: earliest in list order', () => {
    const h = harness('fo');
    h.add('A', 3);
    h.add('B', 3);
    assert.equal(h.connect(), 'B');
  });

  test('property: equals the kernel linear scan', () => {
    checkAgainstReference('fo', referenceFo);
  });
});
