import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { harness, PACKET } from './harness.js';

const toVip = (vip: string) => ({ ...PACKET, virtualAddress: vip });
const MIN = 60_000;

describe('lblc', () => {
  test('a destination address sticks to its dest; new addresses go by wlc', () => {
    const h = harness('lblc');
    h.add('A', 1);
    h.add('B', 1);
    assert.equal(h.connect(toVip('203.0.113.1')), 'B');
    assert.equal(h.connect(toVip('203.0.113.2')), 'A');
    assert.deepEqual(
      [1, 2, 3].map(() => h.connect(toVip('203.0.113.1'))),
      ['B', 'B', 'B'],
    );
  });

  test('weight*2 rule: leave the cached dest only if it exceeds its weight and another is below half', () => {
    const h = harness('lblc');
    h.add('A', 4);
    h.add('B', 10);
    const x = toVip('203.0.113.5');
    assert.equal(h.connect(x), 'B');
    h.setCounts('B', 11);
    h.setCounts('A', 2); // 2*2 < 4 is false: nobody has spare capacity
    assert.equal(h.connect(x), 'B');
    h.setCounts('A', 1); // 1*2 < 4: A has spare → B counts as overloaded
    assert.equal(h.connect(x), 'A');
    assert.equal(h.connect(x), 'A');
  });

  test('the hit path ignores the OVERLOAD flag, as the kernel does; weight 0 and removal do not', () => {
    const h = harness('lblc');
    h.add('A', 1);
    h.add('B', 1);
    const x = toVip('203.0.113.6');
    assert.equal(h.connect(x), 'B');
    h.setOverloaded('B', true);
    assert.equal(h.connect(x), 'B');
    h.setOverloaded('B', false);
    h.setWeight('B', 0);
    assert.equal(h.connect(x), 'A');
    h.setWeight('B', 1);
    h.remove('A');
    assert.equal(h.connect(x), 'B');
  });

  test('entries idle for lblc_expiration (24 h) go at the next full sweep', () => {
    let now = 0;
    const h = harness('lblc', { now: () => now });
    h.add('A', 1);
    h.add('B', 1);
    const x = toVip('203.0.113.7');
    assert.equal(h.connect(x), 'B');
    h.setCounts('B', 1);
    h.setCounts('A', 0, 0);
    now = 23 * 60 * MIN;
    assert.equal(h.connect(x), 'B'); // refreshes lastuse
    now += 24 * 60 * MIN - 1;
    assert.equal(h.scheduler.select(x) && 'hit', 'hit');
    // Full sweeps run every 30 min; 24 h + 30 min idle is certainly gone.
    now += 24 * 60 * MIN + 30 * MIN;
    h.setCounts('B', 5);
    assert.equal(h.connect(x), 'A');
  });

  test('no usable dest: undefined', () => {
    const h = harness('lblc');
    assert.equal(h.connect(), undefined);
    h.add('A', 0);
    assert.equal(h.connect(), undefined);
  });
});
