import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SchedDest } from '../../../../src/ipvs/scheduler.js';
import { checkAgainstReference, harness, shares } from './harness.js';
import { ohInt } from './kernel-ref.js';

/** ip_vs_lc_schedule, line by line. */
function referenceLc(dests: readonly SchedDest[]): SchedDest | undefined {
  let least: SchedDest | undefined;
  let loh = 0n;
  for (const d of dests) {
    if (d.overloaded || d.weight === 0) continue;
    const doh = ohInt(d);
    if (least === undefined || doh < loh) {
      least = d;
      loh = doh;
    }
  }
  return least;
}

describe('lc', () => {
  const cases = [
    {
      name: 'ties go to the dest added last (head of the list)',
      dests: [
        ['A', 1],
        ['B', 1],
        ['C', 1],
      ] as const,
      picks: ['C', 'B', 'A', 'C', 'B', 'A'],
    },
    {
      name: 'weight magnitude is ignored',
      dests: [
        ['A', 100],
        ['B', 1],
      ] as const,
      picks: ['B', 'A', 'B', 'A'],
    },
    {
      name: 'weight 0 is quiesced',
      dests: [
        ['A', 0],
        ['B', 1],
        ['C', 0],
      ] as const,
      picks: ['B', 'B', 'B'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const h = harness('lc');
      for (const [n, wt] of c.dests) h.add(n, wt);
      assert.deepEqual(h.picks(c.picks.length), c.picks);
    });
  }

  test('one active connection outweighs 255 inactive ones', () => {
    const h = harness('lc');
    h.add('A', 1);
    h.add('B', 1);
    h.setCounts('A', 0, 255);
    h.setCounts('B', 1, 0);
    assert.equal(h.connect(), 'A');
  });

  test('ended connections bring a dest back', () => {
    const h = harness('lc');
    h.add('A', 1);
    h.add('B', 1);
    assert.deepEqual(h.picks(4), ['B', 'A', 'B', 'A']);
    h.finish('A');
    h.finish('A');
    assert.deepEqual(h.picks(3), ['A', 'A', 'B']);
  });

  test('overloaded dests are skipped, and come back when the flag clears', () => {
    const h = harness('lc');
    h.add('A', 1);
    h.add('B', 1);
    h.setOverloaded('B', true);
    assert.deepEqual(h.picks(3), ['A', 'A', 'A']);
    h.setOverloaded('B', false);
    assert.deepEqual(h.picks(3), ['B', 'B', 'B']);
  });

  test('shares stay even over many connections that end', () => {
    const h = harness('lc');
    for (const n of ['A', 'B', 'C', 'D']) h.add(n, 1);
    const seen: string[] = [];
    for (let i = 0; i < 400; i++) {
      const p = h.connect();
      assert.ok(p);
      seen.push(p);
      if (i % 2 === 1) h.finish(p);
    }
    assert.deepEqual(shares(seen), { A: 100, B: 100, C: 100, D: 100 });
  });

  test('no dests, all quiesced, all overloaded, all removed: undefined', () => {
    const h = harness('lc');
    assert.equal(h.connect(), undefined);
    h.add('A', 0);
    assert.equal(h.connect(), undefined);
    h.setWeight('A', 3);
    h.setOverloaded('A', true);
    assert.equal(h.connect(), undefined);
    h.remove('A');
    assert.equal(h.connect(), undefined);
  });

  test('property: equals the kernel linear scan', () => {
    checkAgainstReference('lc', referenceLc);
  });
});
