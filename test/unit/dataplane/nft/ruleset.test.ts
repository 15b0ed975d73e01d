// The ruleset generator against golden nft scripts (test/fixtures/nft): full scripts for DR
// and NAT services as a daemon would start them, and the one-transaction diffs that follow
// health changes, weight edits and service edits. The integration tests load the same kind of
// scripts into a real kernel; these pin their exact text.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  buildRuleset,
  DestNumbers,
  diffRuleset,
  replaceScript,
  type BuildOptions,
} from '../../../../src/dataplane/nft/index.js';
import type { ServiceSnapshot } from '../../../../src/ipvs/index.js';
import { assertGolden } from '../../../helpers/golden.js';
import { FIXTURES } from '../../../helpers/paths.js';
import { dest, svc } from '../../../helpers/snapshot.js';

const GOLDEN = join(FIXTURES, 'nft');

const OPTS: BuildOptions = {
  interfaceOf: (address) => (address.startsWith('192.168.2.') ? 'eth1' : 'eth0'),
  timeouts: { tcp: 900, tcpfin: 120, udp: 300 },
  flowsSize: 65536,
  masquerade: false,
};

const rs = (address: string, fields: Parameters<typeof dest>[2] = {}): ReturnType<typeof dest> =>
  dest(address, 80, fields);
const nat = (address: string, fields: Parameters<typeof dest>[2] = {}): ReturnType<typeof dest> =>
  dest(address, 8080, { method: 'masq', ...fields });

const DR_RR = svc('TCP', '10.0.0.100', 80, {
  scheduler: 'rr',
  dests: [rs('10.0.0.11'), rs('10.0.0.12')],
});

function full(services: readonly ServiceSnapshot[], opts: Partial<BuildOptions> = {}): string {
  const b = buildRuleset(services, new DestNumbers(), { ...OPTS, ...opts });
  assert.deepEqual(b.skipped, []);
  return replaceScript([{ family: 'netdev', name: 'tandem_dr_eth9' }], b.ruleset);
}

test('DR rr: a netdev table on the VIP interface, flows recorded per client address and port', () => {
  assertGolden(full([DR_RR]), join(GOLDEN, 'dr-rr.nft'));
});

test('DR wrr with persistence, a UDP service and an IPv6 service', () => {
  const persistent = svc('TCP', '10.0.0.100', 443, {
    scheduler: 'wrr',
    flags: { persistent: true },
    timeout: 300,
    netmask: '255.255.255.0',
    dests: [
      rs('10.0.0.11', { weight: 3 }),
      rs('10.0.0.12', { weight: 1 }),
      rs('10.0.0.13', { weight: 0 }),
    ],
  });
  const udp = svc('UDP', '10.0.0.100', 53, { scheduler: 'rr', dests: [rs('10.0.0.11')] });
  const v6 = svc('TCP', '2001:db8::100', 80, {
    scheduler: 'sh',
    flags: { sched1: true, sched2: true, persistent: true },
    timeout: 60,
    netmask: '64',
    dests: [dest('2001:db8::11', 80), dest('2001:db8::12', 80)],
  });
  const script = full([persistent, udp, v6]).replace(
    /(map s_tcp6_2001_db8__100_80_slots \{\n(?:.*\n){2})((?: {6}.*\n){256})/,
    (_, head: string) => `${head}      … 256 buckets …\n`,
  );
  assertGolden(script, join(GOLDEN, 'dr-wrr-persist-udp-v6.nft'));
});

test('DR stateless: no flow map, every packet hashed, a connection counted on its SYN', () => {
  const udp = svc('UDP', '10.0.0.100', 53, { scheduler: 'rr', dests: [rs('10.0.0.11')] });
  const persistent = svc('TCP', '10.0.0.100', 443, {
    scheduler: 'rr',
    flags: { persistent: true },
    timeout: 300,
    dests: [rs('10.0.0.11')],
  });
  const b = buildRuleset([DR_RR, udp, persistent], new DestNumbers(), {
    ...OPTS,
    drStateless: true,
  });
  assert.equal(b.programmed.get('tcp:10.0.0.100:80')?.stateless, true);
  assert.equal(b.programmed.get('tcp:10.0.0.100:443')?.stateless, false, 'persistence needs state');
  const script = replaceScript([], b.ruleset).replace(
    /((?:map s_(?:tcp|udp)_10_0_0_100_(?:80|53)_slots) \{\n(?:.*\n){2})((?: {6}.*\n){4096})/g,
    (_, head: string) => `${head}      … 4096 slots …\n`,
  );
  assertGolden(script, join(GOLDEN, 'dr-stateless.nft'));
});

test('DR real servers on another interface are forwarded out of it', () => {
  const s = svc('TCP', '10.0.0.100', 80, {
    scheduler: 'rr',
    dests: [rs('10.0.0.11'), rs('192.168.2.11')],
  });
  const b = buildRuleset([s], new DestNumbers(), OPTS);
  const fwd = b.ruleset[0]?.objects.find((o) => o.name === 's_tcp_10_0_0_100_80_fwd');
  assert.deepEqual(fwd?.kind === 'chain' ? fwd.rules : [], [
    'counter name meta mark map @s_tcp_10_0_0_100_80_pkts',
    'meta mark { 1 } fwd ip to meta mark map @s_tcp_10_0_0_100_80_addr device "eth0"',
    'meta mark { 2 } fwd ip to meta mark map @s_tcp_10_0_0_100_80_addr device "eth1"',
    'drop',
  ]);
});

const NAT_RR = svc('TCP', '10.0.0.100', 80, {
  scheduler: 'rr',
  dests: [nat('192.168.2.11'), nat('192.168.2.12')],
});

test('NAT rr and persistent NAT in one inet table, with masquerade', () => {
  const persistent = svc('TCP', '10.0.0.100', 8443, {
    scheduler: 'wrr',
    flags: { persistent: true },
    timeout: 600,
    dests: [nat('192.168.2.11', { weight: 2 }), nat('192.168.2.12', { port: 0 })],
  });
  assertGolden(
    full([NAT_RR, persistent], { masquerade: true }),
    join(GOLDEN, 'nat-rr-persist.nft'),
  );
});

test('DR and NAT services side by side: one netdev table, one inet table', () => {
  const b = buildRuleset([DR_RR, NAT_RR], new DestNumbers(), OPTS);
  assert.deepEqual(
    b.ruleset.map((t) => `${t.family} ${t.name}`),
    ['netdev tandem_dr_eth0', 'inet tandem_nat'],
  );
});

/** The diff from `before` to `after`, built with one numbering as the plane keeps it. */
function diff(before: readonly ServiceSnapshot[], after: readonly ServiceSnapshot[]): string {
  const numbers = new DestNumbers();
  const a = buildRuleset(before, numbers, OPTS);
  const b = buildRuleset(after, numbers, OPTS);
  return `${diffRuleset(a.ruleset, b.ruleset).join('\n')}\n`;
}

test('a real server leaving touches only its service maps and counters, never the flow map', () => {
  const three = { ...DR_RR, dests: [rs('10.0.0.11'), rs('10.0.0.12'), rs('10.0.0.13')] };
  const two = { ...DR_RR, dests: [rs('10.0.0.11'), rs('10.0.0.13')] };
  const other = svc('TCP', '10.0.0.101', 80, { scheduler: 'rr', dests: [rs('10.0.0.21')] });
  const script = diff([three, other], [two, other]);
  assertGolden(script, join(GOLDEN, 'diff-dr-remove.nft'));
  assert.doesNotMatch(script, /(delete|flush) map \S+ \S+ \S+_flows|element \S+ \S+ \S+_flows/);
  assert.doesNotMatch(script, /10_0_0_101/);
});

test('it comes back with its old number; a weight change rewrites only the slot map', () => {
  const three = { ...DR_RR, dests: [rs('10.0.0.11'), rs('10.0.0.12'), rs('10.0.0.13')] };
  const two = { ...DR_RR, dests: [rs('10.0.0.11'), rs('10.0.0.13')] };
  const numbers = new DestNumbers();
  const a = buildRuleset([three], numbers, OPTS);
  const b = buildRuleset([two], numbers, OPTS);
  const c = buildRuleset([three], numbers, OPTS);
  assert.deepEqual(diffRuleset(a.ruleset, c.ruleset), []);
  assert.match(
    diffRuleset(b.ruleset, c.ruleset).join('\n'),
    /add element .* s_tcp_10_0_0_100_80_addr \{ 2 : 10\.0\.0\.12 \}/,
  );
  const w0 = { ...DR_RR, dests: [rs('10.0.0.11'), rs('10.0.0.12', { weight: 0 })] };
  assertGolden(diff([DR_RR], [w0]), join(GOLDEN, 'diff-dr-weight0.nft'));
});

test('adding and removing a service, changing its scheduler, and NAT dest removal', () => {
  const added = svc('TCP', '10.0.0.101', 80, { scheduler: 'mh', dests: [rs('10.0.0.21')] });
  const addScript = diff([DR_RR], [DR_RR, added]);
  assert.match(addScript, /^add counter netdev tandem_dr_eth0 s_tcp_10_0_0_101_80_p1$/m);
  assert.match(
    addScript,
    /^add element netdev tandem_dr_eth0 services4 \{ 10\.0\.0\.101 \. tcp \. 80 : goto s_tcp_10_0_0_101_80 \}$/m,
  );
  const removeScript = diff([DR_RR, added], [DR_RR]);
  assert.match(
    removeScript,
    /^delete element netdev tandem_dr_eth0 services4 \{ 10\.0\.0\.101 \. tcp \. 80 \}$/m,
  );
  assert.match(removeScript, /^delete map netdev tandem_dr_eth0 s_tcp_10_0_0_101_80_flows$/m);
  assert.doesNotMatch(removeScript, /10_0_0_100_80/);
  const sh = { ...DR_RR, scheduler: 'sh' };
  const shScript = diff([DR_RR], [sh]);
  assert.doesNotMatch(shScript, /delete map|add map/, 'same map types: elements and rules only');
  assert.match(shScript, /jhash ip saddr mod 256 seed 0x0 map @s_tcp_10_0_0_100_80_slots/);
  const natOne = { ...NAT_RR, dests: [nat('192.168.2.11')] };
  assertGolden(diff([NAT_RR], [natOne]), join(GOLDEN, 'diff-nat-remove.nft'));
});

test('the last service gone deletes the table; nothing changed, nothing to do', () => {
  assert.equal(diff([DR_RR], []), 'delete table netdev tandem_dr_eth0\n');
  assert.equal(diff([DR_RR], [DR_RR]), '\n');
});

test('what nft cannot program is skipped with a reason, the rest still built', () => {
  const fw: ServiceSnapshot = { ...svc('TCP', '0.0.0.0', 0), fwmark: 7, dests: DR_RR.dests };
  delete (fw as { address?: string }).address;
  delete (fw as { protocol?: string }).protocol;
  const tun = { ...DR_RR, address: '10.0.0.102', dests: [rs('10.0.0.11', { method: 'tunnel' })] };
  const mixed = { ...DR_RR, address: '10.0.0.103', dests: [rs('10.0.0.11'), nat('10.0.0.12')] };
  const empty = { ...DR_RR, address: '10.0.0.104', dests: [] };
  const noIf = { ...DR_RR, address: '10.0.0.105' };
  const b = buildRuleset([fw, tun, mixed, empty, noIf, DR_RR], new DestNumbers(), {
    ...OPTS,
    interfaceOf: (a) => (a === '10.0.0.105' ? undefined : 'eth0'),
  });
  assert.deepEqual(
    b.skipped.map((s) => `${s.id}: ${s.reason}`),
    [
      'fwmark:7: fwmark services are not supported by the nft data plane',
      'tcp:10.0.0.102:80: LVS-TUN is not supported by the nft data plane',
      'tcp:10.0.0.103:80: DR and NAT real servers in one service',
      'tcp:10.0.0.104:80: no real servers and no known forwarding method',
      'tcp:10.0.0.105:80: no interface found for VIP 10.0.0.105 (give --nft-interface)',
    ],
  );
  assert.deepEqual([...b.programmed.keys()], ['tcp:10.0.0.100:80']);
  const hinted = buildRuleset([empty], new DestNumbers(), { ...OPTS, methodHint: () => 'dr' });
  assert.deepEqual(hinted.skipped, []);
  const gone = buildRuleset([DR_RR], new DestNumbers(), { ...OPTS, interfaceExists: () => false });
  assert.deepEqual(
    gone.skipped.map((s) => s.reason),
    ['interface eth0 does not exist'],
  );
});
