// The Maglev table the nft plane loads for mh (buildMaglevTable from src/ipvs/schedulers/mh.ts,
// at the plane's size): each real server's share of slots within 1 % of its weight's share,
// and a server that leaves moves at most 1/N + 1 % of the slots (its own 1/N must move).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { NFT_MH_TABLE_SIZE } from '../../../../src/dataplane/nft/slots.js';
import { buildMaglevTable, type SchedDest } from '../../../../src/ipvs/index.js';

const M = NFT_MH_TABLE_SIZE;

function server(i: number, weight = 1): SchedDest {
  return {
    id: i,
    address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    family: 'inet',
    port: 80,
    weight,
    lastWeight: weight,
    activeConns: 0,
    inactConns: 0,
    persistConns: 0,
    overloaded: false,
  };
}

function shares(table: readonly (SchedDest | undefined)[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const d of table) if (d !== undefined) out.set(d.id, (out.get(d.id) ?? 0) + 1);
  return out;
}

test('every slot is filled, and each server holds its weight share within 1 %', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 12 }),
      fc.integer({ min: 1, max: 5000 }),
      (weights, base) => {
        const dests = weights.map((w, i) => server(base + i, w));
        const table = buildMaglevTable(dests, M);
        assert.ok(table !== undefined);
        assert.ok(table.every((d) => d !== undefined));
        const total = weights.reduce((a, b) => a + b, 0);
        const got = shares(table);
        dests.forEach((d) => {
          const share = (got.get(d.id) ?? 0) / M;
          assert.ok(
            Math.abs(share - d.weight / total) <= 0.01,
            `weights ${weights.join(',')}: server ${d.id} has ${share}, wants ${d.weight / total}`,
          );
        });
      },
    ),
    { numRuns: 60 },
  );
});

test('a server leaving moves at most 1/N + 1 % of the slots, N = 2..16', () => {
  for (let n = 2; n <= 16; n++) {
    const dests = Array.from({ length: n }, (_, i) => server(i + 1));
    const before = buildMaglevTable(dests, M) ?? [];
    for (let gone = 0; gone < n; gone++) {
      const after =
        buildMaglevTable(
          dests.filter((_, i) => i !== gone),
          M,
        ) ?? [];
      let moved = 0;
      for (let s = 0; s < M; s++) if (before[s]?.id !== after[s]?.id) moved++;
      assert.ok(moved / M <= 1 / n + 0.01, `N=${n}, server ${gone + 1} left: ${moved}/${M} moved`);
      // The ones that had to move did: nothing still points at the server that left.
      assert.ok(after.every((d) => d?.id !== gone + 1));
    }
  }
});

test('a server coming back takes its slots back (the table is a function of the list)', () => {
  const dests = [server(1), server(2), server(3)];
  const table = buildMaglevTable(dests, M) ?? [];
  const again = buildMaglevTable([server(1), server(2), server(3)], M) ?? [];
  assert.deepEqual(
    table.map((d) => d?.id),
    again.map((d) => d?.id),
  );
});
