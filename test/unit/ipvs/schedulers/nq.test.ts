import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SchedDest } from '../../../../src/ipvs/scheduler.js';
import { checkAgainstReference, harness } from './harness.js';
import { qInt, w } from './kernel-ref.js';

/** ip_vs_nq_schedule: first idle usable dest wins at once, else sed's minimum. */
function referenceNq(dests: readonly SchedDest[]): SchedDest | undefined {
  let least: SchedDest | undefined;
  let loh = 0n;
  for (const d of dests) {
    if (d.overloaded || d.weight === 0) continue;
    const doh = qInt(d);
    if (d.activeConns === 0) return d;
    if (least === undefined || loh * w(d) > doh * w(least)) {
      least = d;
      loh = doh;
    }
  }
  return least;
}

describe('nq', () => {
  test('an idle dest wins regardless of weight, earliest idle first', () => {
    const h = harness('nq');
    h.add('A', 10);
    h.add('B', 1);
    h.add('C', 1);
    // list C, B, A: all idle → C, then B, then A; then sed: A (2/10) is best.
    assert.deepEqual(h.picks(5), ['C', 'B', 'A', 'A', 'A']);
    h.finish('C');
    assert.equal(h.connect(), 'C');
  });

  test('busy dests compare as sed', () => {
    const h = harness('nq');
    h.add('A', 2);
    h.add('B', 1);
    h.setCounts('A', 3);
    h.setCounts('B', 1);
    // (3+1)/2 = 2 vs (1+1)/1 = 2: tie → B (earlier).
    assert.equal(h.connect(), 'B');
  });

  test('weight 0, overloaded, nothing left', () => {
    const h = harness('nq');
    h.add('A', 0);
    assert.equal(h.connect(), undefined);
    h.add('B', 1);
    h.setOverloaded('B', true);
    assert.equal(h.connect(), undefined);
    h.remove('B');
    h.remove('A');
    assert.equal(h.connect(), undefined);
  });

  test('property: equals the kernel linear scan', () => {
    checkAgainstReference('nq', referenceNq);
  });
});
