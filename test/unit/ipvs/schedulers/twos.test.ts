import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { harness } from './harness.js';

/** A random source that replays a script and records the bounds it was asked for. */
function scripted(values: number[]) {
  const bounds: number[] = [];
  return {
    bounds,
    random: (n: number): number => {
      bounds.push(n);
      const v = values.shift();
      assert.ok(v !== undefined && v < n);
      return v;
    },
  };
}

describe('twos', () => {
  test('draws from [0, T] and resolves by running weight sums in list order', () => {
    // list C(2), B(3), A(5): sums 2, 5, 10; T = 10 → random(11).
    const r = scripted([0, 10, 3, 3, 2, 6]);
    const h = harness('twos', { random: r.random });
    h.add('A', 5);
    h.add('B', 3);
    h.add('C', 2);
    // r1=0 → C, r2=10 → A; both idle: overheads equal → choice1 (C).
    assert.equal(h.connect(), 'C');
    // r1=3 → B, r2=3 → B.
    assert.equal(h.connect(), 'B');
    // r1=2 → C (1 active: oh 256), r2=6 → A (idle): 5*256 > 2*0 → A.
    assert.equal(h.connect(), 'A');
    assert.deepEqual(r.bounds, [11, 11, 11, 11, 11, 11]);
  });

  test('the second choice wins only when strictly less loaded per weight', () => {
    const r = scripted([0, 2]);
    const h = harness('twos', { random: r.random });
    h.add('A', 1);
    h.add('B', 1);
    h.setCounts('A', 1);
    h.setCounts('B', 1);
    // r1=0 → B, r2=2 → A: equal load → B.
    assert.equal(h.connect(), 'B');
  });

  test('products wrap like the kernel int arithmetic', () => {
    const r = scripted([0, 3]);
    const h = harness('twos', { random: r.random });
    h.add('A', 2);
    h.add('B', 1);
    // B: oh = 2^23 * 256 = 2^31 → wraps to -2^31 in a C int; A idle.
    h.setCounts('B', 2 ** 23);
    // 2 * (int)-2^31 wraps to 0, and 1 * 0 = 0: not greater → B (choice1) despite its load.
    assert.equal(h.connect(), 'B');
  });

  test('weight 0 and overloaded dests are never drawn; none usable → undefined, no draw', () => {
    const r = scripted([1, 1]);
    const h = harness('twos', { random: r.random });
    h.add('A', 1);
    h.add('Z', 0);
    h.add('O', 4);
    h.setOverloaded('O', true);
    assert.equal(h.connect(), 'A');
    assert.deepEqual(r.bounds, [2, 2]);
    h.setOverloaded('A', true);
    assert.equal(h.connect(), undefined);
    assert.equal(r.bounds.length, 2);
  });
});
