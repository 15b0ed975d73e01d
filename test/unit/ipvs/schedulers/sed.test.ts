import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SchedDest } from '../../../../src/ipvs/scheduler.js';
import { checkAgainstReference, harness, shares } from './harness.js';
import { qInt, w } from './kernel-ref.js';

/** ip_vs_sed_schedule: wlc's two stages with overhead activeconns + 1. */
export function referenceSed(dests: readonly SchedDest[]): SchedDest | undefined {
  const start = dests.findIndex((d) => !d.overloaded && d.weight > 0);
  if (start < 0) return undefined;
  let least = dests[start]!;
  let loh = qInt(least);
  for (const d of dests.slice(start + 1)) {
    if (d.overloaded) continue;
    const doh = qInt(d);
    if (loh * w(d) > doh * w(least)) {
      least = d;
      loh = doh;
    }
  }
  return least;
}

describe('sed', () => {
  test('minimises (active + 1) / weight; inactive connections do not count', () => {
    const h = harness('sed');
    h.add('A', 1);
    h.add('B', 3);
    h.setCounts('A', 0, 1000);
    // list B, A: B wins while (b+1)/3 <= (a+1)/1 (ties keep B, the earlier).
    assert.deepEqual(h.picks(6), ['B', 'B', 'B', 'A', 'B', 'B']);
  });

  test('shares follow weight over a long run', () => {
    const h = harness('sed');
    h.add('A', 1);
    h.add('B', 4);
    assert.deepEqual(shares(h.picks(500)), { A: 100, B: 400 });
  });

  test('weight 0 and overloaded dests are never picked; none left → undefined', () => {
    const h = harness('sed');
    h.add('A', 0);
    h.add('B', 2);
    h.setOverloaded('B', true);
    assert.equal(h.connect(), undefined);
    h.setOverloaded('B', false);
    assert.deepEqual(h.picks(2), ['B', 'B']);
  });

  test('property: equals the kernel linear scan', () => {
    checkAgainstReference('sed', referenceSed);
  });
});
