import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SchedDest } from '../../../../src/ipvs/scheduler.js';
import { checkAgainstReference, harness } from './harness.js';

/** ip_vs_ovf_schedule. */
function referenceOvf(dests: readonly SchedDest[]): SchedDest | undefined {
  let h: SchedDest | undefined;
  for (const d of dests) {
    if (d.overloaded || d.activeConns > d.weight || d.weight === 0) continue;
    if (h === undefined || d.weight > h.weight) h = d;
  }
  return h;
}

describe('ovf', () => {
  test('fills the heaviest dest to weight + 1 active, then spills over', () => {
    const h = harness('ovf');
    h.add('A', 2);
    h.add('B', 1);
    assert.deepEqual(h.picks(6), ['A', 'A', 'A', 'B', 'B', '-']);
    h.finish('A');
    assert.equal(h.connect(), 'A');
  });

  test('equal weights: earliest in list order (added last)', () => {
    const h = harness('ovf');
    h.add('A', 1);
    h.add('B', 1);
    assert.deepEqual(h.picks(4), ['B', 'B', 'A', 'A']);
  });

  test('weight 0 and overloaded are skipped', () => {
    const h = harness('ovf');
    h.add('A', 0);
    h.add('B', 5);
    h.setOverloaded('B', true);
    assert.equal(h.connect(), undefined);
  });

  test('property: equals the kernel linear scan', () => {
    checkAgainstReference('ovf', referenceOvf);
  });
});
