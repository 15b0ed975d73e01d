// Slot tables per scheduler: what the kernel's per-new-flow expression indexes. rr and wrr are
// the IPVS schedulers' own pick sequences, sh/dh their bucket tables, mh the Maglev table, and
// the counting schedulers their next picks from the current connection counts.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  HASH_TABLE_SIZE,
  hashSlotTable,
  MIN_WINDOW,
  slotTable,
} from '../../../../src/dataplane/nft/slots.js';
import { dest, svc } from '../../../helpers/snapshot.js';

const names = (s: ReturnType<typeof slotTable>, letters = 'ABCDEFGH'): string =>
  (s?.slots ?? []).map((i) => (i === undefined ? '-' : letters[i])).join('');

test('rr: one slot per usable server in list order, strict rotation with numgen', () => {
  const s = slotTable(
    svc('TCP', '10.0.0.1', 80, {
      scheduler: 'rr',
      dests: [dest('10.0.0.2', 80), dest('10.0.0.3', 80, { weight: 0 }), dest('10.0.0.4', 80)],
    }),
  );
  assert.equal(s?.expression, 'numgen inc mod 2');
  assert.equal(names(s), 'AC');
});

test('wrr: the kernel sequence over one period (A=4, B=3, C=2)', () => {
  const s = slotTable(
    svc('TCP', '10.0.0.1', 80, {
      scheduler: 'wrr',
      dests: [
        dest('10.0.0.2', 80, { weight: 4 }),
        dest('10.0.0.3', 80, { weight: 3 }),
        dest('10.0.0.4', 80, { weight: 2 }),
      ],
    }),
  );
  assert.equal(s?.expression, 'numgen inc mod 9');
  assert.equal(names(s), 'AABABCABC');
});

test('wrr: huge weights are scaled to at most 1024 slots, keeping the proportions', () => {
  const s = slotTable(
    svc('TCP', '10.0.0.1', 80, {
      scheduler: 'wrr',
      dests: [dest('10.0.0.2', 80, { weight: 60000 }), dest('10.0.0.3', 80, { weight: 20000 })],
    }),
  );
  assert.ok((s?.size ?? 0) <= 1024);
  const a = s?.slots.filter((i) => i === 0).length ?? 0;
  const b = s?.slots.filter((i) => i === 1).length ?? 0;
  assert.equal(a / b, 3);
});

test('sh: 256 buckets by weight, keyed by the client address (and port with sh-port)', () => {
  const base = {
    scheduler: 'sh',
    dests: [dest('10.0.0.2', 80, { weight: 2 }), dest('10.0.0.3', 80, { weight: 0 })],
  };
  const s = slotTable(svc('TCP', '10.0.0.1', 80, base));
  assert.equal(s?.expression, 'jhash ip saddr mod 256 seed 0x0');
  assert.equal(names(s).slice(0, 6), 'AA-AA-', 'weight 0 keeps its bucket: no destination');
  const fb = slotTable(
    svc('TCP', '10.0.0.1', 80, { ...base, flags: { sched1: true, sched2: true } }),
  );
  assert.equal(fb?.expression, 'jhash ip saddr . th sport mod 256 seed 0x0');
  assert.ok(
    fb?.slots.every((i) => i === 0),
    'sh-fallback: the walk finds A',
  );
});

test('dh keys on the VIP; mh fills every slot with usable servers only', () => {
  const dests = [dest('10.0.0.2', 80), dest('10.0.0.3', 80, { weight: 0 })];
  const dh = slotTable(svc('UDP', '2001:db8::1', 53, { scheduler: 'dh', dests }));
  assert.equal(dh?.expression, 'jhash ip6 daddr mod 256 seed 0x0');
  assert.equal(names(dh).slice(0, 4), 'A-A-');
  const mh = slotTable(svc('TCP', '10.0.0.1', 80, { scheduler: 'mh', dests }));
  assert.equal(mh?.expression, 'jhash ip saddr mod 16381 seed 0x0');
  assert.ok(mh?.slots.every((i) => i === 0));
});

test('wlc: the next picks from the current counts fill the less loaded server first', () => {
  const s = slotTable(
    svc('TCP', '10.0.0.1', 80, {
      scheduler: 'wlc',
      dests: [dest('10.0.0.2', 80, { activeConns: 10 }), dest('10.0.0.3', 80)],
    }),
  );
  assert.equal(s?.size, MIN_WINDOW);
  assert.equal(names(s), 'BBBBBBBBBBABABAB', 'ten to B, then the tie goes to A first');
  const wide = slotTable(
    svc('TCP', '10.0.0.1', 80, {
      scheduler: 'wlc',
      dests: [dest('10.0.0.2', 80, { weight: 3 }), dest('10.0.0.3', 80)],
    }),
    { window: 100 },
  );
  assert.equal(wide?.size, 128, 'rounded up to a power of two');
  const a = wide?.slots.filter((i) => i === 0).length ?? 0;
  assert.equal(a, 96, 'weights 3:1');
});

test('every counting scheduler yields a table; an unknown name does not', () => {
  for (const scheduler of ['lc', 'wlc', 'sed', 'nq', 'lblc', 'lblcr', 'fo', 'ovf', 'twos']) {
    const s = slotTable(
      svc('TCP', '10.0.0.1', 80, { scheduler, dests: [dest('10.0.0.2', 80, { weight: 5 })] }),
    );
    assert.ok(s !== undefined, scheduler);
    assert.ok(
      s.slots.some((i) => i === 0),
      scheduler,
    );
  }
  assert.equal(slotTable(svc('TCP', '10.0.0.1', 80, { scheduler: 'nope' })), undefined);
});

test('stateless table: weighted shares, and a server leaving moves only its own slots', () => {
  const three = [
    dest('10.0.0.2', 80, { weight: 1 }),
    dest('10.0.0.3', 80, { weight: 2 }),
    dest('10.0.0.4', 80, { weight: 1 }),
  ];
  const s = hashSlotTable(svc('TCP', '10.0.0.1', 80, { scheduler: 'rr', dests: three }));
  assert.equal(s?.expression, `jhash ip saddr . th sport mod ${HASH_TABLE_SIZE} seed 0x0`);
  const share = (i: number): number =>
    (s?.slots ?? []).filter((x) => x === i).length / HASH_TABLE_SIZE;
  assert.ok(Math.abs(share(0) - 0.25) < 0.03, `${share(0)}`);
  assert.ok(Math.abs(share(1) - 0.5) < 0.03, `${share(1)}`);
  assert.ok(Math.abs(share(2) - 0.25) < 0.03, `${share(2)}`);
  // 10.0.0.3 leaves (weight 0 counts as gone: no flow map keeps its flows).
  const gone = three.map((d, i) => (i === 1 ? { ...d, weight: 0 } : d));
  const t = hashSlotTable(svc('TCP', '10.0.0.1', 80, { scheduler: 'wrr', dests: gone }));
  (s?.slots ?? []).forEach((owner, slot) => {
    if (owner !== 1) assert.equal(t?.slots[slot], owner, `slot ${slot} moved`);
    else assert.ok(t?.slots[slot] === 0 || t?.slots[slot] === 2);
  });
  // It returns: exactly its old slots come back.
  const back = hashSlotTable(svc('TCP', '10.0.0.1', 80, { scheduler: 'wrr', dests: three }));
  assert.deepEqual(back?.slots, s?.slots);
  // Listed in another order: the same owners (a slot's owner depends on address and port only).
  const shuffled = hashSlotTable(
    svc('TCP', '10.0.0.1', 80, { scheduler: 'rr', dests: [three[2]!, three[0]!, three[1]!] }),
  );
  const addr = (x: ReturnType<typeof hashSlotTable>, order: typeof three) =>
    (x?.slots ?? []).map((i) => (i === undefined ? '' : order[i]?.address));
  assert.deepEqual(addr(shuffled, [three[2]!, three[0]!, three[1]!]), addr(s, three));
});

test('stateless table keys: sh/mh the client (and port), dh the VIP; counting schedulers none', () => {
  const dests = [dest('10.0.0.2', 80), dest('10.0.0.3', 80)];
  const expr = (scheduler: string, flags = {}): string | undefined =>
    hashSlotTable(svc('TCP', '10.0.0.1', 80, { scheduler, flags, dests }))?.expression;
  assert.equal(expr('sh'), `jhash ip saddr mod ${HASH_TABLE_SIZE} seed 0x0`);
  assert.equal(
    expr('mh', { sched2: true }),
    `jhash ip saddr . th sport mod ${HASH_TABLE_SIZE} seed 0x0`,
  );
  assert.equal(expr('dh'), `jhash ip daddr mod ${HASH_TABLE_SIZE} seed 0x0`);
  assert.equal(expr('wlc'), undefined);
  const none = hashSlotTable(
    svc('TCP', '10.0.0.1', 80, { scheduler: 'rr', dests: [dest('10.0.0.2', 80, { weight: 0 })] }),
  );
  assert.ok(none?.slots.every((x) => x === undefined));
});
