import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { foldAddress, hash32 } from '../../../../src/ipvs/schedulers/hash.js';
import { harness, PACKET } from './harness.js';

const toVip = (vip: string) => ({ ...PACKET, virtualAddress: vip });

describe('dh', () => {
  test('bucket hash_32(daddr, 8) of a table cycling the list one bucket per dest', () => {
    const h = harness('dh');
    h.add('A', 1);
    h.add('B', 50);
    h.add('C', 1);
    const order = ['C', 'B', 'A'];
    for (let i = 0; i < 200; i++) {
      const vip = `172.16.${i >> 8}.${i & 255}`;
      const bucket = hash32(foldAddress(vip), 8);
      assert.equal(h.connect(toVip(vip)), order[bucket % 3]);
    }
  });

  test('the same destination address always maps to the same dest, whatever the client', () => {
    const h = harness('dh');
    for (const n of ['A', 'B', 'C', 'D']) h.add(n, 1);
    const first = h.connect(toVip('203.0.113.7'));
    for (let p = 1; p < 50; p++) {
      assert.equal(h.connect({ ...toVip('203.0.113.7'), clientPort: p }), first);
    }
  });

  test('no fallback: a quiesced or overloaded bucket dest means undefined', () => {
    const h = harness('dh');
    h.add('A', 1);
    h.add('B', 1);
    const vip = '203.0.113.9';
    const name = h.connect(toVip(vip));
    assert.ok(name);
    h.setWeight(name, 0);
    assert.equal(h.connect(toVip(vip)), undefined);
    h.setWeight(name, 1);
    h.setOverloaded(name, true);
    assert.equal(h.connect(toVip(vip)), undefined);
    h.remove('A');
    h.remove('B');
    assert.equal(h.connect(toVip(vip)), undefined);
  });
});
