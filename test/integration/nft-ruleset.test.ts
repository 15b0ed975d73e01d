// The generated rulesets and every kind of diff between them, loaded into a real kernel (a
// network namespace with interfaces eth0/eth1): the scripts the golden tests pin must also be ones
// nft accepts, in the order the diff puts its commands. After each step the kernel's tables
// must be exactly the ones the builder described.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildRuleset,
  commandRunner,
  DestNumbers,
  deleteScript,
  diffRuleset,
  replaceScript,
  runnerReader,
  type BuildOptions,
  type NftRuleset,
} from '../../src/dataplane/nft/index.js';
import type { ServiceSnapshot } from '../../src/ipvs/index.js';
import {
  addNamespace,
  deleteNamespace,
  inNs,
  ip,
  onProcessExit,
  runPrefix,
} from '../helpers/netns.js';
import { dest, svc } from '../helpers/snapshot.js';
import { requireRoot, requireTool } from '../helpers/tools.js';

const OPTS: BuildOptions = {
  interfaceOf: (a) => (a.startsWith('192.168.2.') ? 'eth1' : 'eth0'),
  timeouts: { tcp: 900, tcpfin: 120, udp: 300 },
  flowsSize: 65536,
  masquerade: true,
};

const rs = (a: string, f: Parameters<typeof dest>[2] = {}) => dest(a, 80, f);
const nat = (a: string, f: Parameters<typeof dest>[2] = {}) =>
  dest(a, 8080, { method: 'masq', ...f });

const dr = svc('TCP', '10.0.0.100', 80, {
  scheduler: 'rr',
  dests: [rs('10.0.0.11'), rs('10.0.0.12'), rs('192.168.2.13')],
});
const persistent = svc('TCP', '10.0.0.100', 443, {
  scheduler: 'wrr',
  flags: { persistent: true },
  timeout: 300,
  netmask: '255.255.255.0',
  dests: [rs('10.0.0.11', { weight: 3 }), rs('10.0.0.12')],
});
const udp = svc('UDP', '10.0.0.100', 53, { scheduler: 'wlc', dests: [rs('10.0.0.11')] });
const ops = svc('UDP', '10.0.0.100', 514, {
  scheduler: 'rr',
  flags: { onePacket: true },
  dests: [rs('10.0.0.11'), rs('10.0.0.12')],
});
const v6 = svc('TCP', '2001:db8::100', 80, {
  scheduler: 'sh',
  flags: { sched1: true, sched2: true, persistent: true },
  timeout: 60,
  netmask: '64',
  dests: [dest('2001:db8::11', 80), dest('2001:db8::12', 80)],
});
const mh = svc('TCP', '10.0.0.101', 80, {
  scheduler: 'mh',
  dests: [rs('10.0.0.11'), rs('10.0.0.12')],
});
const natRr = svc('TCP', '10.0.0.100', 8080, {
  scheduler: 'rr',
  dests: [nat('192.168.2.11'), nat('192.168.2.12')],
});
const natPersist = svc('TCP', '10.0.0.100', 8443, {
  scheduler: 'lc',
  flags: { persistent: true },
  timeout: 600,
  dests: [nat('192.168.2.11'), nat('192.168.2.12', { port: 0 })],
});
const nat6 = svc('UDP', '2001:db8::100', 53, {
  scheduler: 'dh',
  dests: [dest('2001:db8:2::11', 53, { method: 'masq' })],
});

const EVERYTHING = [dr, persistent, udp, ops, v6, mh, natRr, natPersist, nat6];

const STEPS: [string, ServiceSnapshot[], Partial<BuildOptions>?][] = [
  ['everything', [dr, persistent, udp, ops, v6, mh, natRr, natPersist, nat6]],
  [
    'a DR server leaves',
    [{ ...dr, dests: dr.dests.slice(1) }, persistent, udp, ops, v6, mh, natRr, natPersist, nat6],
  ],
  [
    'it comes back at weight 0',
    [
      { ...dr, dests: [rs('10.0.0.11', { weight: 0 }), ...dr.dests.slice(1)] },
      persistent,
      udp,
      ops,
      v6,
      mh,
      natRr,
      natPersist,
      nat6,
    ],
  ],
  [
    'mh loses a server, NAT too',
    [
      dr,
      persistent,
      udp,
      ops,
      v6,
      { ...mh, dests: [rs('10.0.0.12')] },
      { ...natRr, dests: [nat('192.168.2.12')] },
      natPersist,
      nat6,
    ],
  ],
  [
    'schedulers change',
    [
      { ...dr, scheduler: 'sh' },
      { ...persistent, scheduler: 'mh' },
      udp,
      ops,
      v6,
      mh,
      { ...natRr, scheduler: 'wlc' },
      natPersist,
      nat6,
    ],
  ],
  [
    'persistence off, ops off',
    [
      dr,
      { ...persistent, flags: { ...persistent.flags, persistent: false } },
      udp,
      { ...ops, flags: { ...ops.flags, onePacket: false } },
      v6,
      mh,
      natRr,
      natPersist,
      nat6,
    ],
  ],
  ['services leave', [dr, natRr]],
  ['the DR interface changes', [{ ...dr, address: '192.168.2.100' }, natRr]],
  ['NAT only', [natRr]],
  ['nothing', []],
  ['everything again', EVERYTHING],
  ['a new refresh period', EVERYTHING, { epoch: 1 }],
  ['stateless DR', EVERYTHING, { epoch: 1, drStateless: true }],
  [
    'stateless DR, a server leaves',
    [{ ...dr, dests: dr.dests.slice(1) }, ...EVERYTHING.slice(1)],
    { epoch: 1, drStateless: true },
  ],
  ['flow maps again', EVERYTHING, { epoch: 2 }],
];

/** What the kernel holds of a table, as comparable facts: its chains, sets/maps and counters. */
function kernelObjects(json: string): string[] {
  const doc = JSON.parse(json) as { nftables: Record<string, { name?: string; table?: string }>[] };
  const out: string[] = [];
  for (const e of doc.nftables) {
    for (const kind of ['chain', 'set', 'map', 'counter']) {
      const o = e[kind];
      if (o?.name !== undefined)
        out.push(`${o.table ?? ''} ${kind === 'map' ? 'set' : kind} ${o.name}`);
    }
  }
  return out.sort();
}

function builtObjects(rs: NftRuleset): string[] {
  return rs
    .flatMap((t) =>
      t.objects.map((o) => `${t.name} ${o.kind === 'map' ? 'set' : o.kind} ${o.name}`),
    )
    .sort();
}

test('every generated ruleset and every diff between them loads into the kernel', (t) => {
  if (!requireRoot(t, 'network namespace and nftables') || !requireTool(t, 'nft')) return;
  const ns = `${runPrefix()}nft`;
  addNamespace(ns);
  const forget = onProcessExit(() => deleteNamespace(ns));
  t.after(() => {
    forget();
    deleteNamespace(ns);
  });
  // veth pairs rather than dummies: the kernel here has no dummy driver.
  for (const dev of ['eth0', 'eth1']) {
    ip(['-n', ns, 'link', 'add', dev, 'type', 'veth', 'peer', 'name', `${dev}p`]);
    ip(['-n', ns, 'link', 'set', dev, 'up']);
  }
  const runner = commandRunner(inNs(ns, ['nft']));
  const reader = runnerReader(runner);
  const numbers = new DestNumbers();
  let prev: NftRuleset | undefined;
  for (const [what, services, extra] of STEPS) {
    const built = buildRuleset(services, numbers, { ...OPTS, ...extra });
    assert.deepEqual(built.skipped, [], what);
    const script =
      prev === undefined
        ? replaceScript([], built.ruleset)
        : diffRuleset(prev, built.ruleset).join('\n');
    const r = runner.apply(script);
    assert.ok(r.ok, `${what}: ${r.ok ? '' : r.error}\n${script.slice(0, 4000)}`);
    const listed = runner.json('list ruleset');
    assert.ok(listed.ok);
    assert.deepEqual(
      kernelObjects(listed.ok ? listed.output : '{}'),
      builtObjects(built.ruleset),
      what,
    );
    prev = built.ruleset;
  }
  // The reader finds the tables and their counters; the delete script removes them all.
  assert.deepEqual(
    reader.tables()?.map((x) => `${x.family} ${x.name}`),
    ['netdev tandem_dr_eth0', 'inet tandem_nat'],
  );
  assert.ok((reader.counters('inet', 'tandem_nat')?.size ?? 0) > 0);
  assert.ok(runner.apply(deleteScript(prev ?? [])).ok);
  assert.deepEqual(reader.tables(), []);
});
