// The nft plane's netlink reader against a real kernel, in a network namespace of its own: the
// table list, one table's named counters, a flow map's marks with the time each entry has left
// (NFTA_SET_ELEM_EXPIRATION, which the DR connection counts rest on), and its one kept socket:
// a failed dump (a map that does not exist) closes it, and the next read opens a fresh one.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { addNamespace, deleteNamespace, inNs, onProcessExit, runPrefix } from '../helpers/netns.js';
import { requireRoot, requireTool } from '../helpers/tools.js';

const READER = new URL('../../src/dataplane/nft/reader.js', import.meta.url).href;

const RULESET = `table netdev tandem_reader_test {
  counter c1 {
    packets 5 bytes 300
  }
  map flows {
    typeof ip saddr . th sport : meta mark
    size 100
    flags dynamic,timeout
    elements = { 10.0.0.1 . 40000 timeout 930s expires 100s : 0x01000002, 10.0.0.2 . 40001 timeout 930s : 3 }
  }
}
`;

const CHILD = `
import { netlinkReader } from '${READER}';
const r = netlinkReader();
const t = 'tandem_reader_test';
const out = {
  tables: r.tables(),
  counters: Object.fromEntries(r.counters('netdev', t) ?? []),
  flows: r.mapEntries('netdev', t, 'flows'),
  missing: r.mapEntries('netdev', t, 'nope') ?? null,
  again: r.mapEntries('netdev', t, 'flows'),
};
r.close();
process.stdout.write(JSON.stringify(out));
`;

interface Entries {
  marks: number[];
  expiresMs: number[];
}

test('netlink reader: tables, counters, flow marks with their time left, one socket', (t) => {
  if (!requireRoot(t, 'a network namespace and nftables') || !requireTool(t, 'nft')) return;
  const ns = `${runPrefix()}-nftread`;
  addNamespace(ns);
  const off = onProcessExit(() => deleteNamespace(ns));
  t.after(() => {
    off();
    deleteNamespace(ns);
  });
  const load = spawnSync(inNs(ns, ['nft', '-f', '-'])[0]!, inNs(ns, ['nft', '-f', '-']).slice(1), {
    input: RULESET,
    encoding: 'utf8',
  });
  assert.equal(load.status, 0, load.stderr);
  const argv = inNs(ns, [process.execPath, '--input-type=module', '-e', CHILD]);
  const run = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 10_000 });
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout) as {
    tables: { family: string; name: string }[];
    counters: Record<string, { packets: number; bytes: number }>;
    flows: Entries;
    missing: null;
    again: Entries;
  };
  assert.deepEqual(out.tables, [{ family: 'netdev', name: 'tandem_reader_test' }]);
  assert.deepEqual(out.counters, { c1: { packets: 5, bytes: 300 } });
  const byMark = new Map(out.flows.marks.map((m, i) => [m, out.flows.expiresMs[i] ?? -1]));
  assert.deepEqual([...byMark.keys()].sort(), [3, 0x01000002].sort());
  const short = byMark.get(0x01000002) ?? -1;
  const long = byMark.get(3) ?? -1;
  assert.ok(short > 90_000 && short <= 100_000, `expires 100s: ${short} ms left`);
  assert.ok(long > 920_000 && long <= 930_000, `timeout 930s: ${long} ms left`);
  assert.equal(out.missing, null, 'a map that does not exist reads as nothing');
  assert.deepEqual(out.again.marks.slice().sort(), out.flows.marks.slice().sort());
});
