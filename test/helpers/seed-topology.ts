// The seed documents' LVS network in namespaces (lan.ts): a client, two directors d1 and d2 that
// share a VIP, and two or three real servers running nginx (or Node) with a page naming them.
// DR, as the seeds' how-tos: one LAN; each real server is prepared by `tandem realserver start`
// (VIP on lo, arp_ignore=1, arp_announce=2) and answers the client straight. NAT: the real servers
// sit on a second LAN behind the directors with a gateway VIP (x.x.x.254 there) as their default
// route, so replies come back through whichever director is master. The directors get addresses
// only: VRRP, forwarding and the data plane are the test's (seed-directors.ts). Addresses: DR
// LAN client .1, d1 .2, d2 .3, rsN .3+N, VIP .100; NAT front client .1, d1 .2, d2 .3, VIP .100,
// back d1 .1, d2 .2, rsN .2+N, gateway .254.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { createLan, type Lan } from './lan.js';
import { startHttpEcho } from './lan-http.js';
import { startNginx, type Nginx } from './nginx.js';
import { TANDEM } from './paths.js';
import { spawnChild, stopChild, type Child } from './processes.js';

export type LbKind = 'DR' | 'NAT';

export interface SeedOptions {
  readonly kind: LbKind;
  /** 2 (default) or 3. */
  readonly realServers?: 2 | 3;
  /** nginx (default: fast, as the benches need) or a Node HTTP server. */
  readonly web?: 'nginx' | 'node';
  /** `taskset -c` CPU list for the web servers (benches). */
  readonly webCpus?: string;
}

export interface RealServer {
  readonly host: string;
  /** The address directors send to (DR: the LAN; NAT: the back LAN). */
  readonly ip: string;
  /** The MAC of that interface: the source of its replies on the wire. */
  readonly mac: string;
  /** What `GET /` answers: the host name (and a newline with nginx). */
  readonly body: string;
  webRunning(): boolean;
  /** Stops the web server: connections to port 80 are refused from then on. */
  stopWeb(): Promise<void>;
  startWeb(): Promise<void>;
}

export interface SeedTopology {
  readonly kind: LbKind;
  readonly lan: Lan;
  readonly vip: string;
  readonly port: 80;
  /** NAT: the real servers' default gateway, a second VIP on the back LAN. */
  readonly gateway: string | undefined;
  readonly directors: readonly ['d1', 'd2'];
  readonly client: 'client';
  readonly realServers: readonly RealServer[];
  /** The directors' VIP-side interface, and their back-LAN one (NAT). */
  readonly frontIf: 'eth0';
  readonly backIf: 'eth1' | undefined;
  /** The real server whose page this is, or undefined. */
  serverOf(body: string): RealServer | undefined;
  /** Who owns a MAC on the LAN (host name), for reading captures. */
  macOwner(mac: string): string | undefined;
  /** `GET path` from the client over a new connection: the body, or `ERR <curl exit>`. */
  get(path?: string, address?: string): Promise<string>;
  /** `count` sequential GETs through the VIP (bounded: curl's 2 s each). */
  getMany(count: number, path?: string): Promise<string[]>;
  cleanup(): Promise<void>;
}

/** The real servers' host names: rs1, rs2, … */
function names(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `rs${i + 1}`);
}

async function startWebServer(
  lan: Lan,
  host: string,
  opts: SeedOptions,
): Promise<{ stop: () => Promise<void> }> {
  if (opts.web === 'node') {
    const child: Child = await startHttpEcho(lan, host, 80);
    return { stop: () => stopChild(child) };
  }
  const nginx: Nginx = await startNginx({
    listeners: [{ address: '0.0.0.0', port: 80 }],
    ns: lan.host(host).ns,
    body: `${host}\n`,
    workerProcesses: 1,
    ...(opts.webCpus === undefined ? {} : { cpus: opts.webCpus }),
  });
  return { stop: () => nginx.stop() };
}

/** Runs `tandem realserver start --vip VIP` in the host's namespace; throws on failure. */
async function prepareRealServer(lan: Lan, host: string, vip: string, dir: string): Promise<void> {
  const state = join(dir, `${host}-realserver.json`);
  const argv = [process.execPath, TANDEM, 'realserver', 'start', '--vip', vip, '--state', state];
  const child = spawnChild(argv[0]!, argv.slice(1), { ns: lan.host(host).ns });
  const code = await child.exited;
  if (code !== 0) throw new Error(`tandem realserver start on ${host}: ${child.output()}`);
}

async function build(lan: Lan, opts: SeedOptions, dir: string): Promise<SeedTopology> {
  const kind = opts.kind;
  const rsNames = names(opts.realServers ?? 2);
  const vip = lan.address(100);
  const backSeg = kind === 'NAT' ? 1 : 0;
  const gateway = kind === 'NAT' ? lan.address(254, 1) : undefined;
  const webs = new Map<string, { stop: () => Promise<void> }>();
  const realServers = rsNames.map((host): RealServer => {
    const iface = lan.iface(host, backSeg);
    return {
      host,
      ip: iface.ip,
      mac: iface.mac,
      body: opts.web === 'node' ? host : `${host}\n`,
      webRunning: () => webs.has(host),
      stopWeb: async () => {
        const w = webs.get(host);
        webs.delete(host);
        await w?.stop();
      },
      startWeb: async () => {
        if (!webs.has(host)) webs.set(host, await startWebServer(lan, host, opts));
      },
    };
  });
  const cleanup = async (): Promise<void> => {
    await Promise.allSettled(
      [...webs.keys()].map((h) => realServers.find((r) => r.host === h)!.stopWeb()),
    );
    lan.cleanup();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const rs of realServers) {
      if (kind === 'DR') await prepareRealServer(lan, rs.host, vip, dir);
      else lan.runSync(rs.host, ['ip', 'route', 'add', 'default', 'via', gateway!]);
      await rs.startWeb();
    }
  } catch (err) {
    await cleanup();
    throw err;
  }
  const macs = new Map<string, string>();
  for (const h of lan.hosts) for (const i of h.interfaces) macs.set(i.mac, h.name);
  const get = async (path = '/', address = vip): Promise<string> => {
    const url = `http://${address}${path}`;
    const r = await lan.run('client', ['curl', '-s', '--max-time', '2', url], 5000);
    return r.code === 0 ? r.stdout : `ERR ${String(r.code)}`;
  };
  return {
    kind,
    lan,
    vip,
    port: 80,
    gateway,
    directors: ['d1', 'd2'],
    client: 'client',
    realServers,
    frontIf: 'eth0',
    backIf: kind === 'NAT' ? 'eth1' : undefined,
    serverOf: (body) => realServers.find((r) => r.body === body),
    macOwner: (mac) => macs.get(mac),
    get,
    getMany: async (count, path) => {
      const out: string[] = [];
      for (let i = 0; i < count; i++) out.push(await get(path));
      return out;
    },
    cleanup,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `action` while tcpdump on the client's eth0 records every packet from VIP:80, and returns
 * how many came from each Ethernet source (by host name; unknown MACs as themselves). DR replies
 * come from the real servers' MACs, NAT and proxy replies from the master director's.
 */
export async function captureReplySources(
  topo: SeedTopology,
  action: () => Promise<void>,
): Promise<Record<string, number>> {
  const filter = `tcp and src host ${topo.vip} and src port ${topo.port}`;
  const argv = ['tcpdump', '-i', 'eth0', '-e', '-nn', '-l', '-U', '-c', '10000', filter];
  const dump = spawnChild(argv[0]!, argv.slice(1), { ns: topo.lan.host(topo.client).ns });
  try {
    for (let i = 0; !dump.output().includes('listening on'); i++) {
      if (dump.hasExited() || i > 250) throw new Error(`tcpdump did not start: ${dump.output()}`);
      await sleep(20);
    }
    await action();
    await sleep(200); // the last replies are on the wire
  } finally {
    await stopChild(dump, 2000, 'SIGINT');
  }
  const out: Record<string, number> = {};
  for (const line of dump.output().split('\n')) {
    const m = /^\S+ ([0-9a-f]{2}(?::[0-9a-f]{2}){5}) > /.exec(line);
    if (m === null) continue;
    const who = topo.macOwner(m[1]!) ?? m[1]!;
    out[who] = (out[who] ?? 0) + 1;
  }
  return out;
}

/**
 * Builds the topology; removed in `t.after` when t is given (benches call cleanup themselves),
 * and on process exit in any case (lan.ts).
 */
export async function createSeedTopology(
  t: TestContext | undefined,
  opts: SeedOptions,
): Promise<SeedTopology> {
  const rs = names(opts.realServers ?? 2);
  const lan =
    opts.kind === 'DR'
      ? createLan(undefined, { hosts: ['client', 'd1', 'd2', ...rs] })
      : createLan(undefined, { hosts: ['client', 'd1', 'd2'], segments: [['d1', 'd2', ...rs]] });
  const dir = mkdtempSync(join(tmpdir(), 'tandem-seed-'));
  const topo = await build(lan, opts, dir);
  t?.after(() => topo.cleanup());
  return topo;
}
