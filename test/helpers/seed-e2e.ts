// The acceptance scenarios of issue 9 on the seed topology, shared by the DR and NAT test files:
// a client's curl loop through the VIP, a capture of who sent the replies, a real server's web
// server stopped under load of the checkers, and the master director crashing. Two forms: the
// reference (hand-written nftables rules under tandem's VRRP, -P), and tandem running the whole
// thing itself (VRRP, checkers and its data plane, `--dataplane nft` or `proxy`).

import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import {
  checkerBoundMs,
  installHandRule,
  seedDirectorConf,
  type DirectorConfOptions,
} from './seed-directors.js';
import {
  captureReplySources,
  createSeedTopology,
  type LbKind,
  type SeedTopology,
} from './seed-topology.js';
import { TandemNode } from './tandem-node.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const STATE = (instance: string, state: string): RegExp =>
  new RegExp(`^\\(${instance}\\) Entering ${state} STATE`);

/** The VRRP instances of a seed director: the VIP's, and in NAT the gateway's. */
function instances(topo: SeedTopology): string[] {
  return topo.gateway === undefined ? ['VI_1'] : ['VI_1', 'VI_2'];
}

async function waitState(topo: SeedTopology, node: TandemNode, state: string, from = 0) {
  for (const vi of instances(topo)) await node.waitForLog(STATE(vi, state), 10_000, from);
}

/** d1 as master, then d2 as backup, both from the seed configuration. */
async function startDirectors(
  t: TestContext,
  topo: SeedTopology,
  halves: 'vrrp' | 'all',
  plane: 'proxy' | 'nft',
  conf: Omit<DirectorConfOptions, 'director'>,
): Promise<[TandemNode, TandemNode]> {
  const start = (d: 'd1' | 'd2'): TandemNode => {
    const text = seedDirectorConf(topo, { ...conf, director: d });
    const node = TandemNode.start(topo.lan, d, text, halves, { dataplane: plane });
    t.after(() => node.stop());
    return node;
  };
  const d1 = start('d1');
  await waitState(topo, d1, 'MASTER');
  const d2 = start('d2');
  await waitState(topo, d2, 'BACKUP');
  return [d1, d2];
}

/** Requests until one succeeds (bounded); resolves with the milliseconds it took. */
async function untilServed(topo: SeedTopology, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const body = await topo.get();
    if (topo.serverOf(body) !== undefined) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`the VIP served nothing in ${timeoutMs} ms: ${body}`);
    await sleep(100);
  }
}

/** Who must have sent the replies the client saw. */
function expectSources(
  topo: SeedTopology,
  sources: Record<string, number>,
  via: 'real servers' | 'd1' | 'd2',
): void {
  const who = Object.keys(sources);
  assert.ok(who.length > 0, 'no replies captured');
  if (via === 'real servers') {
    const rs = new Set(topo.realServers.map((r) => r.host));
    assert.ok(
      who.every((w) => rs.has(w)),
      `DR replies must come straight from the real servers: ${JSON.stringify(sources)}`,
    );
  } else {
    assert.deepEqual(who, [via], `replies must come through ${via}: ${JSON.stringify(sources)}`);
  }
}

/** Crash d1 (cable out, SIGKILL): d2 takes the VIP (and the gateway) and serves it. */
async function crashMaster(topo: SeedTopology, d1: TandemNode, d2: TandemNode): Promise<void> {
  const from = d2.mark();
  topo.lan.unplug('d1');
  await d1.kill();
  await waitState(topo, d2, 'MASTER', from);
  await untilServed(topo, 5000);
}

/**
 * The reference: hand-written nft rules on both directors, tandem -P moving the VIP. The loop
 * reaches every real server, replies come from where the kind says, and a crash of d1 leaves
 * the service to d2.
 */
export async function referenceScenario(t: TestContext, kind: LbKind): Promise<void> {
  const topo = await createSeedTopology(t, { kind });
  if (kind === 'DR') {
    for (const rs of topo.realServers) {
      assert.equal(topo.lan.hasAddress(rs.host, topo.vip), true, `${rs.host} holds the VIP on lo`);
      const ignore = topo.lan.runSync(rs.host, ['sysctl', '-n', 'net.ipv4.conf.all.arp_ignore']);
      assert.equal(ignore.trim(), '1');
      // Direct to the real server: its own page, the ceiling of the bench.
      assert.equal(await topo.get('/', rs.ip), rs.body);
    }
  }
  const [d1, d2] = await startDirectors(t, topo, 'vrrp', 'proxy', { checker: 'none' });
  for (const d of topo.directors) installHandRule(topo, d);
  await untilServed(topo, 5000);
  if (kind === 'DR') {
    // The real servers hold the VIP but never answer ARP for it: the client's entry is d1's.
    assert.equal(topo.lan.neigh('client', topo.vip), topo.lan.host('d1').mac);
  }
  let bodies: string[] = [];
  const sources = await captureReplySources(topo, async () => {
    bodies = await topo.getMany(20);
  });
  const served = new Set(bodies.map((b) => topo.serverOf(b)?.host ?? b));
  assert.deepEqual(
    [...served].sort(),
    topo.realServers.map((r) => r.host).sort(),
    bodies.join('|'),
  );
  expectSources(topo, sources, kind === 'DR' ? 'real servers' : 'd1');

  await crashMaster(topo, d1, d2);
  const after = await captureReplySources(topo, async () => {
    bodies = await topo.getMany(10);
  });
  assert.ok(
    bodies.every((b) => topo.serverOf(b) !== undefined),
    bodies.join('|'),
  );
  expectSources(topo, after, kind === 'DR' ? 'real servers' : 'd2');
}

export interface PlaneScenarioOptions {
  readonly kind: LbKind;
  readonly plane: 'nft' | 'proxy';
}

/**
 * tandem alone: VRRP, HTTP_GET checkers and its data plane on both directors. Round robin
 * alternates over three real servers; replies come straight from them (DR over nft) or through
 * the master (NAT, and any kind over the proxy); a stopped web server leaves the pool within the
 * checker's bound; a crashed master leaves the service to the backup.
 */
export async function planeScenario(t: TestContext, o: PlaneScenarioOptions): Promise<void> {
  const topo = await createSeedTopology(t, { kind: o.kind, realServers: 3 });
  const conf = { checker: 'HTTP_GET' } as const;
  const [d1, d2] = await startDirectors(t, topo, 'all', o.plane, conf);
  await untilServed(topo, 5000);
  const n = topo.realServers.length;
  let bodies: string[] = [];
  const sources = await captureReplySources(topo, async () => {
    bodies = await topo.getMany(3 * n);
  });
  const hosts = bodies.map((b) => topo.serverOf(b)?.host ?? b);
  assert.equal(new Set(hosts).size, n, hosts.join(' '));
  for (let i = n; i < hosts.length; i++)
    assert.equal(hosts[i], hosts[i - n], `rr: ${hosts.join(' ')}`);
  const direct = o.kind === 'DR' && o.plane === 'nft';
  expectSources(topo, sources, direct ? 'real servers' : 'd1');

  // A dead web server: requests sent to it fail until the checker removes it, then every
  // request is served by the others. Both directors check; the backup's verdict matters after
  // the failover below.
  const [gone] = topo.realServers;
  const marks = [d1.mark(), d2.mark()];
  await gone!.stopWeb();
  const stoppedAt = Date.now();
  const bound = checkerBoundMs(conf);
  let streak = 0;
  let streakFrom = 0;
  while (streak < 2 * n) {
    const body = await topo.get();
    const rs = topo.serverOf(body);
    if (rs === undefined || rs === gone) streak = 0;
    else if (streak++ === 0) streakFrom = Date.now();
    if (Date.now() - stoppedAt > bound + 5000) break;
  }
  const late = `${gone!.host} still drew requests ${bound + 5000} ms after its web server stopped`;
  assert.equal(streak, 2 * n, late);
  const servedMs = streakFrom - stoppedAt;
  assert.ok(
    servedMs <= bound,
    `${gone!.host} left the pool after ${servedMs} ms; bound ${bound} ms`,
  );
  const removed = new RegExp(`^Removing service \\[${gone!.ip}\\]:tcp:${topo.port} from VS`);
  for (const [i, d] of [d1, d2].entries()) {
    const line = await d.waitForLog(removed, bound + 5000, marks[i]);
    const ms = line.t - stoppedAt;
    assert.ok(ms <= bound, `${d.host} removed ${gone!.host} after ${ms} ms; bound ${bound} ms`);
  }

  await crashMaster(topo, d1, d2);
  const after = await captureReplySources(topo, async () => {
    bodies = await topo.getMany(2 * n);
  });
  for (const b of bodies) {
    const rs = topo.serverOf(b);
    assert.ok(rs !== undefined && rs !== gone, `after failover: ${bodies.join('|')}`);
  }
  expectSources(topo, after, direct ? 'real servers' : 'd2');
}
