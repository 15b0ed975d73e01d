import fc from 'fast-check';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SchedDest } from '../../../../src/ipvs/scheduler.js';
import { harness, PACKET, scenarioArb } from './harness.js';

describe('rr', () => {
  test('cycles in list order (reverse order of addition), weights ignored', () => {
    const h = harness('rr');
    h.add('A', 1);
    h.add('B', 5);
    h.add('C', 1);
    assert.deepEqual(h.picks(7), ['C', 'B', 'A', 'C', 'B', 'A', 'C']);
  });

  test('weight 0 and overloaded dests are skipped', () => {
    const h = harness('rr');
    h.add('A', 1);
    h.add('B', 0);
    h.add('C', 1);
    h.add('D', 1);
    h.setOverloaded('D', true);
    assert.deepEqual(h.picks(4), ['C', 'A', 'C', 'A']);
  });

  test('deleting the last pick moves the pointer to its predecessor', () => {
    const h = harness('rr');
    h.add('A', 1);
    h.add('B', 1);
    h.add('C', 1);
    assert.deepEqual(h.picks(2), ['C', 'B']);
    h.remove('B');
    // Pointer is now C, so A comes next.
    assert.deepEqual(h.picks(3), ['A', 'C', 'A']);
  });

  test('a new dest goes to the head and is reached after the wrap', () => {
    const h = harness('rr');
    h.add('A', 1);
    h.add('B', 1);
    assert.deepEqual(h.picks(1), ['B']);
    h.add('N', 1);
    assert.deepEqual(h.picks(4), ['A', 'N', 'B', 'A']);
  });

  test('nothing usable or nothing left: undefined', () => {
    const h = harness('rr');
    assert.equal(h.connect(), undefined);
    h.add('A', 0);
    assert.equal(h.connect(), undefined);
    h.remove('A');
    assert.equal(h.connect(), undefined);
  });

  test('property: equals the kernel walk, one deletion at a time', () => {
    fc.assert(
      fc.property(scenarioArb, ({ initial, ops }) => {
        const h = harness('rr');
        // Reference: pointer to a dest object (undefined = head), ip_vs_rr_del_dest on removal.
        let ptr: SchedDest | undefined;
        const refSelect = (): SchedDest | undefined => {
          const list = h.dests;
          const start = ptr === undefined ? 0 : list.indexOf(ptr) + 1;
          for (let k = 0; k < list.length; k++) {
            const d = list[(start + k) % list.length]!;
            if (d.weight > 0 && !d.overloaded) return (ptr = d);
          }
          return undefined;
        };
        initial.forEach((w, i) => h.add(`d${i}`, w));
        let added = initial.length;
        for (const op of ops) {
          const d = 'i' in op ? h.dests[op.i % Math.max(1, h.dests.length)] : undefined;
          const name = h.nameOf(d);
          if (op.kind === 'pick') {
            assert.equal(h.nameOf(h.scheduler.select(PACKET)), h.nameOf(refSelect()));
          } else if (op.kind === 'add') h.add(`d${added++}`, op.weight);
          else if (name === undefined || d === undefined) continue;
          else if (op.kind === 'weight') h.setWeight(name, op.weight);
          else if (op.kind === 'overload') h.setOverloaded(name, op.on);
          else if (op.kind === 'remove') {
            if (ptr === d) {
              const i = h.dests.indexOf(d);
              ptr = i > 0 ? h.dests[i - 1] : undefined;
            }
            h.remove(name);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
