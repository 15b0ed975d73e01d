// nft data plane update latency: how long one health change (a real server leaves, then comes
// back) takes from the table to the kernel, through the path the plane uses (buildRuleset with
// its caches → diffRuleset → one transaction), with libnftables in-process and with `nft -f -`;
// with 1, 50 and 1,000 services, with an mh service (16381-slot Maglev map) and with 100k flows
// recorded. Also what a new DR refresh period costs (only the table's refresh_tag chain
// changes: 1, 50 and 1,000 services), a re-lay of 50 and 1,000 busy wlc services (every slot
// map laid out again), and the periodic reads (counters and flow maps over netlink, also with
// 1,000 services). Runs as
// root in a network namespace of its own (it re-executes itself there); prints a table.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  buildRuleset,
  commandRunner,
  DestNumbers,
  diffRuleset,
  netlinkReader,
  replaceScript,
  nftServiceId as serviceId,
  servicePrefix,
  type BuildOptions,
  type NftRuleset,
  type NftRunner,
} from '../src/dataplane/nft/index.js';
import { openLibnftables } from '../src/sys/nftables.js';
import { dumpNftCounters, dumpNftMapEntries } from '../src/sys/nft-netlink.js';
import type { DestSnapshot, ServiceSnapshot } from '../src/ipvs/index.js';

const ZERO = { conns: 0, inpkts: 0, outpkts: 0, inbytes: 0, outbytes: 0 };
const RATES = { cps: 0, inpps: 0, outpps: 0, inbps: 0, outbps: 0 };

function dest(address: string, activeConns = 0): DestSnapshot {
  return {
    address,
    family: 'inet',
    port: 80,
    method: 'route',
    weight: 1,
    activeConns,
    inactConns: 0,
    persistConns: 0,
    uThreshold: 0,
    lThreshold: 0,
    overloaded: false,
    stats: ZERO,
    rates: RATES,
  };
}

function service(i: number, scheduler: string): ServiceSnapshot {
  return {
    fwmark: 0,
    family: 'inet',
    protocol: 'TCP',
    address: `10.0.${i >> 8}.${i & 255}`,
    port: 80,
    scheduler,
    flags: {
      persistent: false,
      hashed: false,
      onePacket: false,
      sched1: false,
      sched2: false,
      sched3: false,
    },
    timeout: 0,
    netmask: '255.255.255.255',
    dests: [1, 2, 3].map((d) => dest(`10.${1 + (i >> 8)}.${i & 255}.${d}`)),
    stats: ZERO,
    rates: RATES,
  };
}

const OPTS: BuildOptions = {
  interfaceOf: () => 'eth0',
  timeouts: { tcp: 900, tcpfin: 120, udp: 300 },
  flowsSize: 1 << 20,
  masquerade: false,
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** One step of a timed sequence: the table's services, and the refresh period to build for. */
interface Step {
  readonly services: ServiceSnapshot[];
  readonly epoch?: number;
}

/**
 * Median and p99 of `n` changes from the table's services to an applied transaction, with the
 * caches the plane keeps: step(0) is loaded whole (then `loaded` runs, to fill a flow map),
 * each of steps 1…n is built, diffed against the one before and applied. `windows` are the
 * counting schedulers' windows, which a step may set.
 */
function timeSteps(
  runner: NftRunner,
  n: number,
  step: (k: number, windows: Map<string, number>) => Step,
  loaded: () => void = () => undefined,
): string {
  const numbers = new DestNumbers();
  const windows = new Map<string, number>();
  const opts: BuildOptions = { ...OPTS, slotCache: new Map(), objectCache: new Map(), windows };
  const build = (k: number): NftRuleset => {
    const s = step(k, windows);
    return buildRuleset(s.services, numbers, { ...opts, epoch: s.epoch ?? 0 }).ruleset;
  };
  let prev = build(0);
  const ok = runner.apply(replaceScript([], prev));
  if (!ok.ok) throw new Error(ok.error);
  loaded();
  const times: number[] = [];
  for (let k = 1; k <= n; k++) {
    const start = performance.now();
    const next = build(k);
    const r = runner.apply(diffRuleset(prev, next).join('\n'));
    times.push(performance.now() - start);
    if (!r.ok) throw new Error(r.error);
    prev = next;
  }
  times.sort((a, b) => a - b);
  return `${percentile(times, 50).toFixed(2)} ms median, ${percentile(times, 99).toFixed(2)} ms p99`;
}

/** `n` health flips of service 0: its second server leaves, returns. */
function flips(
  runner: NftRunner,
  services: ServiceSnapshot[],
  n: number,
  loaded?: () => void,
): string {
  const s0 = services[0];
  if (s0 === undefined) throw new Error('no service');
  const without = { ...s0, dests: s0.dests.filter((_, i) => i !== 1) };
  const rest = services.slice(1);
  return timeSteps(
    runner,
    n,
    (k) => ({ services: k === 0 ? services : [k % 2 === 1 ? without : s0, ...rest] }),
    loaded,
  );
}

/** `n` refresh period changes (dr.ts): only the table's refresh_tag chain changes. */
function periods(runner: NftRunner, services: ServiceSnapshot[], n: number): string {
  return timeSteps(runner, n, (k) => ({ services, epoch: k }));
}

/**
 * `n` re-lays of `count` busy counting-scheduler (wlc) services (plane.ts): each time every
 * service's connection counts and new connections moved, so every slot map is laid out again.
 */
function relays(runner: NftRunner, count: number, n: number): string {
  return timeSteps(runner, n, (k, windows) => {
    const services = Array.from({ length: count }, (_, i) => {
      const s = service(i, 'wlc');
      return { ...s, dests: s.dests.map((d, j) => dest(d.address, (k * 7 + j * 13 + i) % 50)) };
    });
    if (k > 0) services.forEach((s, i) => windows.set(serviceId(s), 10 + ((k + i) % 20)));
    return { services };
  });
}

/**
 * What the plane's periodic reads cost with `services` DR services loaded (empty flow maps):
 * one counters dump of the table (every second) and one flow-map dump per service (the
 * connection counts), on the reader's one socket. Median of `n`.
 */
function reads(runner: NftRunner, services: ServiceSnapshot[], n: number): string {
  const built = buildRuleset(services, new DestNumbers(), OPTS);
  const ok = runner.apply(replaceScript([], built.ruleset));
  if (!ok.ok) throw new Error(ok.error);
  const reader = netlinkReader();
  const maps = services.map((s) => `${servicePrefix(s)}_flows`);
  const counters: number[] = [];
  const flows: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    if (reader.counters('netdev', 'tandem_dr_eth0') === undefined) throw new Error('counters');
    const t1 = performance.now();
    for (const m of maps) {
      if (reader.mapEntries('netdev', 'tandem_dr_eth0', m) === undefined) throw new Error(m);
    }
    counters.push(t1 - t0);
    flows.push(performance.now() - t1);
  }
  reader.close?.();
  counters.sort((a, b) => a - b);
  flows.sort((a, b) => a - b);
  const c = built.counters.get('netdev tandem_dr_eth0')?.size ?? 0;
  return `${c} counters ${percentile(counters, 50).toFixed(1)} ms, ${maps.length} flow maps ${percentile(flows, 50).toFixed(1)} ms (medians)`;
}

function run(): void {
  const lib = openLibnftables();
  if (lib === null) throw new Error('libnftables did not load');
  const libRunner: NftRunner = {
    name: 'libnftables',
    apply: (s) => lib.run(s),
    json: (c) => lib.json(c),
    close: () => lib.close(),
  };
  const cli = commandRunner();
  const one = [service(0, 'rr')];
  const fifty = Array.from({ length: 50 }, (_, i) => service(i, i % 2 === 0 ? 'rr' : 'wrr'));
  const mh = [service(0, 'mh'), ...fifty.slice(1)];
  const rows: [string, string][] = [];
  rows.push(['1 DR service, libnftables', flips(libRunner, one, 200)]);
  rows.push(['1 DR service, nft -f -', flips(cli, one, 50)]);
  rows.push(['50 DR services, libnftables', flips(libRunner, fifty, 200)]);
  rows.push(['50 DR services, nft -f -', flips(cli, fifty, 50)]);
  rows.push(['mh (16381 slots) + 49 services, libnftables', flips(libRunner, mh, 50)]);
  const thousand = Array.from({ length: 1000 }, (_, i) => service(i, 'wrr'));
  rows.push(['1,000 DR services, libnftables', flips(libRunner, thousand, 20)]);
  rows.push(['new refresh period, 1 DR service', periods(libRunner, one, 50)]);
  rows.push(['new refresh period, 50 DR services', periods(libRunner, fifty, 50)]);
  rows.push(['new refresh period, 1,000 DR services', periods(libRunner, thousand, 10)]);
  rows.push(['periodic reads, 1,000 DR services, netlink', reads(libRunner, thousand, 5)]);
  rows.push(['re-lay of 50 busy wlc services', relays(libRunner, 50, 20)]);
  rows.push(['re-lay of 1,000 busy wlc services', relays(libRunner, 1000, 10)]);

  // 100k flows recorded for service 0, as a busy director would have them.
  const table = 'tandem_dr_eth0';
  const flowsMap = 's_tcp_10_0_0_0_80_flows';
  const elements: string[] = [];
  for (let i = 0; i < 100_000; i++) {
    elements.push(`10.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255} . 40000 : ${1 + (i % 3)}`);
  }
  const fill = (): void => {
    const r = lib.run(`add element netdev ${table} ${flowsMap} { ${elements.join(', ')} }`);
    if (!r.ok) throw new Error(r.error);
  };
  rows.push(['50 DR services + 100k flows, libnftables', flips(libRunner, fifty, 200, fill)]);
  dumpNftCounters('netdev', table); // loads koffi's libc binding: not part of a read
  const c0 = performance.now();
  const counters = dumpNftCounters('netdev', table);
  const c1 = performance.now();
  const marks = dumpNftMapEntries('netdev', table, flowsMap);
  const c2 = performance.now();
  if (!counters.ok || !marks.ok) throw new Error('netlink read failed');
  const listed = lib.json(`list counters table netdev ${table}`);
  const c3 = performance.now();
  if (!listed.ok) throw new Error(listed.error);
  rows.push([`read ${counters.value.size} counters, netlink`, `${(c1 - c0).toFixed(2)} ms`]);
  rows.push([`read ${marks.value.marks.length} flows, netlink`, `${(c2 - c1).toFixed(1)} ms`]);
  rows.push([
    'read counters, nft list counters (what netlink avoids)',
    `${(c3 - c2).toFixed(1)} ms`,
  ]);
  lib.run(`delete table netdev ${table}`);

  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(
    'nft data plane: one health change (a real server leaves or returns), a refresh period, reads\n',
  );
  for (const [k, v] of rows) process.stdout.write(`  ${k.padEnd(width)}  ${v}\n`);
  lib.close();
}

const NS = `tandem-bench-nft-${process.pid}`;

if (process.env.TANDEM_BENCH_NS === undefined) {
  if (process.getuid?.() !== 0) {
    process.stderr.write('bench/nft-update needs root (network namespace, nftables)\n');
    process.exit(1);
  }
  const ip = (...a: string[]): void => {
    spawnSync('ip', a, { stdio: 'inherit' });
  };
  ip('netns', 'add', NS);
  try {
    ip('-n', NS, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0p');
    ip('-n', NS, 'link', 'set', 'eth0', 'up');
    const r = spawnSync(
      'ip',
      ['netns', 'exec', NS, process.execPath, fileURLToPath(import.meta.url)],
      { stdio: 'inherit', env: { ...process.env, TANDEM_BENCH_NS: NS } },
    );
    process.exitCode = r.status ?? 1;
  } finally {
    ip('netns', 'del', NS);
  }
} else {
  run();
}
