// The rows bench/kernel measures, each set up on director d1 of the seed topology just before
// its measurement and taken down right after, so exactly one balancer is ever in the path (and
// in the machine's CPU figures). The VIP (and in NAT the real servers' gateway) is held by d1
// statically: these rows measure forwarding, not VRRP. DR rows use the DR topology, NAT rows the
// NAT one; the proxies run in the DR topology and connect to the real servers themselves.

import { startHaproxy } from '../../test/helpers/haproxy.js';
import {
  installHandRule,
  removeHandRule,
  seedDirectorConf,
  tandemNftPlane,
} from '../../test/helpers/seed-directors.js';
import type { SeedTopology } from '../../test/helpers/seed-topology.js';
import { TandemNode } from '../../test/helpers/tandem-node.js';

export const ROW_NAMES = [
  'direct',
  'nft-dr',
  'tandem-dr',
  'tandem-dr-hash',
  'nft-nat',
  'tandem-nat',
  'haproxy',
  'tandem-proxy',
] as const;
export type RowName = (typeof ROW_NAMES)[number];

/** What each row is, for the report. */
export const ROW_TITLES: Readonly<Record<RowName, string>> = {
  direct: 'client → rs1, no balancer (the ceiling)',
  'nft-dr': 'hand-written nftables DR rule (netdev ingress fwd, jhash)',
  'tandem-dr': 'tandem --dataplane nft, lb_kind DR',
  'tandem-dr-hash': 'tandem --dataplane nft --nft-dr-stateless, lb_kind DR',
  'nft-nat': 'hand-written nftables DNAT (conntrack, numgen)',
  'tandem-nat': 'tandem --dataplane nft, lb_kind NAT',
  haproxy: 'HAProxy mode tcp, roundrobin, nbthread 1',
  'tandem-proxy': 'tandem --dataplane proxy',
};

export interface Bed {
  readonly dr: SeedTopology;
  readonly nat: SeedTopology;
  /** CPUs of userspace balancers (`taskset -c`). */
  readonly lbCpus: string;
  /** Which rows get RPS onto lbCpus on d1 (setRps). */
  readonly rps?: 'all' | 'kernel' | 'off';
}

export interface ActiveRow {
  readonly name: RowName;
  readonly topo: SeedTopology;
  /** Where wrk sends its requests. */
  readonly address: string;
  readonly port: number;
  /** The userspace process doing (or, for tandem's kernel plane, programming) the forwarding. */
  readonly pid?: number;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Gives the VIP (and the NAT gateway) to d1 for good: the bench runs no VRRP. The client may
 * reuse its TIME_WAIT ports (tcp_tw_reuse=1, what bench/proxy gets on loopback by default):
 * against a proxy wrk closes first, and the client's connect() then walks past every port still
 * in TIME_WAIT towards VIP:80: with ~14,000 of them left by the proxy rows, the next rows' new
 * connections/s fell from ~8,000 to ~300.
 */
export function prepareBed(bed: Bed): void {
  for (const topo of [bed.dr, bed.nat]) {
    topo.lan.runSync(topo.client, ['sysctl', '-qw', 'net.ipv4.tcp_tw_reuse=1']);
    topo.lan.runSync('d1', ['ip', 'addr', 'add', `${topo.vip}/24`, 'dev', topo.frontIf]);
    if (topo.gateway !== undefined && topo.backIf !== undefined) {
      topo.lan.runSync('d1', ['ip', 'addr', 'add', `${topo.gateway}/24`, 'dev', topo.backIf]);
    }
  }
}

/** Rows whose forwarding is a kernel plane's (no balancer process). */
const KERNEL_ROWS: ReadonlySet<RowName> = new Set([
  'nft-dr',
  'tandem-dr',
  'tandem-dr-hash',
  'nft-nat',
  'tandem-nat',
]);

/**
 * The director's receive work on the balancers' CPU: RPS moves what arrives at d1 to that CPU's
 * backlog, so a kernel plane's rules run there rather than on wrk's and nginx's CPU. `all` (the
 * default) does it for every row, so every director has CPU 1 for all its work; `kernel` only
 * for the kernel rows (a userspace balancer's socket receive work then stays on CPU 0, as
 * before); `off` for none.
 */
function setRps(bed: Bed, name: RowName): void {
  const mode = bed.rps ?? 'all';
  const on = mode === 'all' || (mode === 'kernel' && KERNEL_ROWS.has(name));
  const mask = on ? cpuMask(bed.lbCpus) : '0';
  for (const topo of [bed.dr, bed.nat]) {
    for (const dev of [topo.frontIf, topo.backIf]) {
      if (dev === undefined) continue;
      topo.lan.runSync('d1', [
        'sh',
        '-c',
        `echo ${mask} > /sys/class/net/${dev}/queues/rx-0/rps_cpus`,
      ]);
    }
  }
}

/** `taskset -c` CPUs (`1`, `0,2`) as the hexadecimal mask rps_cpus takes. */
export function cpuMask(cpus: string): string {
  let m = 0n;
  for (const c of cpus.split(',')) m |= 1n << BigInt(Number(c.trim()));
  return m.toString(16);
}

/** Polls the VIP from the client until a real server answers (a balancer just started). */
async function untilServed(topo: SeedTopology, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = await topo.get();
    if (topo.serverOf(body) !== undefined) return;
    if (Date.now() > deadline) throw new Error(`the VIP does not answer: ${body}`);
    await sleep(100);
  }
}

async function startTandem(
  topo: SeedTopology,
  name: RowName,
  plane: 'proxy' | 'nft',
  cpus: string,
  args: readonly string[] = [],
): Promise<ActiveRow> {
  if (plane === 'nft') {
    const probe = tandemNftPlane();
    if (!probe.ok) throw new Error(probe.reason);
  }
  // No checkers, as HAProxy runs none here: only the forwarding is measured.
  const conf = seedDirectorConf(topo, { director: 'd1', vrrp: false, checker: 'none' });
  const node = TandemNode.start(topo.lan, 'd1', conf, 'check', {
    dataplane: plane,
    cpus,
    args,
  });
  try {
    await untilServed(topo);
  } catch (err) {
    const log = node.logText().split('\n').slice(-5).join(' | ');
    await node.stop();
    throw new Error(`${(err as Error).message}; tandem: ${log}`, { cause: err });
  }
  return {
    name,
    topo,
    address: topo.vip,
    port: topo.port,
    pid: node.pid,
    stop: () => node.stop(),
  };
}

/** Sets the row up; throws (with the reason) when it cannot run on this machine or build. */
export async function startRow(name: RowName, bed: Bed): Promise<ActiveRow> {
  const { dr, nat } = bed;
  setRps(bed, name);
  switch (name) {
    case 'direct': {
      const rs = dr.realServers[0]!;
      return { name, topo: dr, address: rs.ip, port: dr.port, stop: () => Promise.resolve() };
    }
    case 'nft-dr':
    case 'nft-nat': {
      const topo = name === 'nft-dr' ? dr : nat;
      installHandRule(topo, 'd1');
      await untilServed(topo);
      return {
        name,
        topo,
        address: topo.vip,
        port: topo.port,
        stop: () => {
          removeHandRule(topo, 'd1');
          // Leave forwarding as the topology had it: tandem's NAT row must switch it on itself.
          if (topo.kind === 'NAT')
            topo.lan.runSync('d1', ['sysctl', '-qw', 'net.ipv4.ip_forward=0']);
          return Promise.resolve();
        },
      };
    }
    case 'tandem-dr':
      return startTandem(dr, name, 'nft', bed.lbCpus);
    case 'tandem-dr-hash':
      return startTandem(dr, name, 'nft', bed.lbCpus, ['--nft-dr-stateless']);
    case 'tandem-nat':
      return startTandem(nat, name, 'nft', bed.lbCpus);
    case 'tandem-proxy':
      return startTandem(dr, name, 'proxy', bed.lbCpus);
    case 'haproxy': {
      const h = await startHaproxy({
        listen: { address: dr.vip, port: dr.port },
        servers: dr.realServers.map((rs) => ({ address: rs.ip, port: dr.port })),
        ns: dr.lan.host('d1').ns,
        cpus: bed.lbCpus,
      });
      return { name, topo: dr, address: dr.vip, port: dr.port, pid: h.pid, stop: () => h.stop() };
    }
  }
}
