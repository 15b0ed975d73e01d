import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { harness, PACKET } from './harness.js';

const x = { ...PACKET, virtualAddress: '203.0.113.9' };
const HOUR = 60 * 60_000;

describe('lblcr', () => {
  test('replicates to the wlc pick when the set minimum is overloaded by the weight*2 rule', () => {
    const h = harness('lblcr');
    h.add('A', 4);
    h.add('B', 4);
    h.add('C', 4);
    assert.equal(h.connect(x), 'C');
    h.setCounts('C', 5); // > weight, and A/B have spare capacity
    assert.equal(h.connect(x), 'B'); // set {B, C}
    // Now the set's wlc minimum is used: B (1 active) over C (6).
    assert.deepEqual([h.connect(x), h.connect(x)], ['B', 'B']);
    h.setCounts('B', 9);
    h.setCounts('C', 1);
    assert.equal(h.connect(x), 'C'); // C is the set minimum again, not A
  });

  test('after lblcr_expiration since the last change, the most loaded member is dropped', () => {
    let now = 0;
    const h = harness('lblcr', { now: () => now });
    h.add('A', 4);
    h.add('B', 4);
    assert.equal(h.connect(x), 'B');
    h.setCounts('B', 5);
    assert.equal(h.connect(x), 'A'); // set {A, B}, lastmod 0
    h.setCounts('A', 3);
    h.setCounts('B', 1);
    // Hits keep the entry alive through the full sweeps without touching the set.
    for (let t = 10; t < 24 * 60; t += 10) {
      now = t * 60_000;
      h.scheduler.select(x);
    }
    now = 24 * HOUR + 1; // past lastmod + lblcr_expiration
    assert.equal(h.connect(x), 'B'); // min is B; max (A) is erased
    h.setCounts('B', 4);
    h.setCounts('A', 0);
    // A is gone from the set, B is not overloaded (4 <= 4): stays B.
    assert.equal(h.connect(x), 'B');
  });

  test('no usable dest: undefined', () => {
    const h = harness('lblcr');
    assert.equal(h.connect(x), undefined);
    h.add('A', 1);
    h.setOverloaded('A', true);
    assert.equal(h.connect(x), undefined);
  });
});
