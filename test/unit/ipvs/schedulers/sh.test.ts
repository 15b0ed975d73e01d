import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { foldAddress, hash32 } from '../../../../src/ipvs/schedulers/hash.js';
import { harness, PACKET, shares } from './harness.js';

const from = (ip: string, port = 40000) => ({ ...PACKET, clientAddress: ip, clientPort: port });
/** Buckets for list B(1), A(2): B A A B A A ... */
const bucketName = (b: number): string => (b % 3 === 0 ? 'B' : 'A');
const clients = Array.from({ length: 300 }, (_, i) => `192.0.${i >> 8}.${i & 255}`);

describe('sh', () => {
  test('bucket hash_32(saddr, 8) of a table giving each dest `weight` buckets', () => {
    const h = harness('sh');
    h.add('A', 2);
    h.add('B', 1);
    for (const ip of clients) {
      assert.equal(h.connect(from(ip)), bucketName(hash32(foldAddress(ip), 8)));
    }
    // 256 buckets: B has 86, A 170; clients spread accordingly.
    const s = shares(clients.map((ip) => h.connect(from(ip)) ?? '-'));
    assert.ok((s.A ?? 0) > (s.B ?? 0));
  });

  test('the source port only counts with sh-port', () => {
    const plain = harness('sh');
    const ported = harness('sh', { sched2: true });
    for (const h of [plain, ported]) {
      h.add('A', 2);
      h.add('B', 1);
    }
    const ip = '192.0.2.77';
    for (const port of [1, 2, 3, 1000, 65535]) {
      assert.equal(plain.connect(from(ip, port)), bucketName(hash32(foldAddress(ip), 8)));
      const b = hash32((port + foldAddress(ip)) >>> 0, 8);
      assert.equal(ported.connect(from(ip, port)), bucketName(b));
    }
  });

  test('without sh-fallback an unavailable dest means undefined; with it, walk from 2h', () => {
    const plain = harness('sh');
    const fb = harness('sh', { sched1: true });
    for (const h of [plain, fb]) {
      h.add('A', 2);
      h.add('B', 1);
      h.add('C', 1);
      h.setWeight('B', 0); // still holds its bucket (weight <= 0 takes one)
    }
    // List C(1), B(0→1 bucket), A(2): C B A A C B A A ...
    const names = ['C', 'B', 'A', 'A'];
    for (const ip of clients) {
      const b = hash32(foldAddress(ip), 8);
      const owner = names[b % 4];
      if (owner !== 'B') {
        assert.equal(plain.connect(from(ip)), owner);
        assert.equal(fb.connect(from(ip)), owner);
        continue;
      }
      assert.equal(plain.connect(from(ip)), undefined);
      let k = (2 * b) % 256;
      while (names[k % 4] === 'B') k = (k + 1) % 256;
      assert.equal(fb.connect(from(ip)), names[k % 4]);
    }
  });

  test('all dests unavailable or gone: undefined even with fallback', () => {
    const h = harness('sh', { sched1: true });
    h.add('A', 1);
    h.setOverloaded('A', true);
    assert.equal(h.connect(from('192.0.2.1')), undefined);
    h.remove('A');
    assert.equal(h.connect(from('192.0.2.1')), undefined);
  });
});
