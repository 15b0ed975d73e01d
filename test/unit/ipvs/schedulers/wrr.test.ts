import fc from 'fast-check';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SchedDest } from '../../../../src/ipvs/scheduler.js';
import { gcdOfPositive } from '../../../../src/ipvs/schedulers/gcd.js';
import { harness, PACKET, scenarioArb, shares } from './harness.js';

/** ip_vs_wrr.c transcribed: linear scans, one level at a time, no shortcuts. */
function referenceWrr() {
  let list: SchedDest[] = [];
  let cl = -1;
  let cw = 0;
  let mw = 0;
  let di = 1;
  return {
    changed(dests: readonly SchedDest[]) {
      list = dests.slice();
      cl = -1;
      di = gcdOfPositive(list.map((d) => d.weight)) || 1;
      mw = Math.max(0, ...list.map((d) => d.weight)) - (di - 1);
      if (cw > mw || cw === 0) cw = mw;
      else if (di > 1) cw = Math.floor(cw / di) * di + 1;
    },
    select(): SchedDest | undefined {
      if (mw === 0) return undefined;
      const last = cl;
      let stop: number | undefined;
      let lastPass = false;
      let restarted = false;
      let i = cl;
      while (true) {
        for (i = i + 1; i < list.length; i++) {
          const d = list[i]!;
          if (!d.overloaded && d.weight >= cw) {
            cl = i;
            return d;
          }
          if (i === stop) return undefined;
        }
        cw -= di;
        if (cw <= 0) {
          cw = mw;
          if (lastPass || last < 0) return undefined;
          restarted = true;
        }
        lastPass = cw <= di;
        if (lastPass && restarted && last >= 0) stop = last;
        i = -1;
      }
    },
  };
}

describe('wrr', () => {
  test('real kernel: A=4, B=3, C=2 added in that order picks C B A A B A C B A, repeating', () => {
    const h = harness('wrr');
    h.add('A', 4);
    h.add('B', 3);
    h.add('C', 2);
    const cycle = ['C', 'B', 'A', 'A', 'B', 'A', 'C', 'B', 'A'];
    assert.deepEqual(h.picks(27), [...cycle, ...cycle, ...cycle]);
    assert.deepEqual(shares(h.picks(900)), { A: 400, B: 300, C: 200 });
  });

  test('a fresh level state (all dests in one update) starts at the heaviest', () => {
    const h = harness('wrr');
    h.add('A', 4);
    h.add('B', 3);
    h.add('C', 2);
    h.scheduler.update([]);
    h.scheduler.update(h.dests);
    // Emptying the list leaves cw = 0, so the next change behaves like ip_vs_wrr_init_svc.
    assert.deepEqual(h.picks(9), ['A', 'B', 'A', 'C', 'B', 'A', 'C', 'B', 'A']);
  });

  test('gcd stepping: weights 4 and 2 behave like 2 and 1', () => {
    const h = harness('wrr');
    h.add('A', 4);
    h.add('B', 2);
    assert.deepEqual(shares(h.picks(300)), { A: 200, B: 100 });
  });

  test('weight 0 is never picked; an overloaded dest is skipped', () => {
    const h = harness('wrr');
    h.add('A', 2);
    h.add('Z', 0);
    h.add('B', 1);
    assert.ok(!h.picks(30).includes('Z'));
    h.setOverloaded('A', true);
    assert.deepEqual(h.picks(3), ['B', 'B', 'B']);
    h.setOverloaded('B', true);
    assert.equal(h.connect(), undefined);
  });

  test('all weights 0, or all dests removed: undefined', () => {
    const h = harness('wrr');
    h.add('A', 0);
    assert.equal(h.connect(), undefined);
    h.setWeight('A', 5);
    assert.equal(h.connect(), 'A');
    h.remove('A');
    assert.equal(h.connect(), undefined);
  });

  test('huge weights with the heaviest overloaded: same picks as the level-by-level loop', () => {
    const h = harness('wrr');
    const ref = referenceWrr();
    for (const [n, wt] of [
      ['H', 2 ** 20],
      ['M', 6],
      ['L', 3],
    ] as const) {
      h.add(n, wt);
      ref.changed(h.dests);
    }
    h.setOverloaded('H', true);
    for (let i = 0; i < 40; i++) assert.equal(h.connect(), h.nameOf(ref.select()));
  });

  test('property: equals the kernel loop step for step', () => {
    fc.assert(
      fc.property(scenarioArb, ({ initial, ops }) => {
        const h = harness('wrr');
        const ref = referenceWrr();
        const check = (): void => {
          const got = h.scheduler.select(PACKET);
          assert.equal(h.nameOf(got), h.nameOf(ref.select()));
        };
        const changed = (): void => {
          ref.changed(h.dests);
        };
        initial.forEach((w, i) => {
          h.add(`d${i}`, w % 1000);
          changed();
        });
        let added = initial.length;
        for (const op of ops) {
          const d =
            op.kind === 'pick' || op.kind === 'add'
              ? undefined
              : h.dests[op.i % Math.max(1, h.dests.length)];
          const name = h.nameOf(d);
          if (op.kind === 'pick') check();
          else if (op.kind === 'add') {
            h.add(`d${added++}`, op.weight % 1000);
            changed();
          } else if (name === undefined) continue;
          else if (op.kind === 'weight') {
            h.setWeight(name, op.weight % 1000);
            changed();
          } else if (op.kind === 'remove') {
            h.remove(name);
            changed();
          } else if (op.kind === 'overload') {
            // The kernel does not tell the scheduler about OVERLOAD flips; a no-op flip is
            // an update() with no change, which the kernel sees as an edit.
            const flips = h.get(name).overloaded !== op.on;
            h.setOverloaded(name, op.on);
            if (!flips) changed();
          }
        }
        for (let i = 0; i < 20; i++) check();
      }),
      { numRuns: 400 },
    );
  });
});
