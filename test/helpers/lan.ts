// A throwaway Ethernet LAN for VRRP interop tests and the failover bench: a bridge in its own
// namespace (nothing is added to the host's root namespace) and one namespace per host, each with
// `eth0` on the bridge and 10.X.Y.n/24 from a per-run subnet. Parallel test files get distinct
// names and subnets; teardown runs from `t.after`, on process exit, and in the next run's sweeper.

import { spawn } from 'node:child_process';
import type { TestContext } from 'node:test';
import { addNamespace, inNs, ip, onProcessExit, runPrefix, runSync } from './netns.js';
import { deleteNamespace, sweepStaleNamespaces } from './netns.js';
import { spawnChild, type Child, type SpawnOptions } from './processes.js';

export interface LanOptions {
  /** Host names, ≤12 characters each (the bridge port is `v-<name>`). */
  readonly hosts: readonly string[];
  /** Keep IPv6 on eth0 with DAD off (link-local usable at once); off: IPv6 disabled. */
  readonly ipv6?: boolean;
}

export interface LanHost {
  readonly name: string;
  readonly ns: string;
  readonly ifname: 'eth0';
  /** 10.X.Y.n, n = index + 1. */
  readonly ip: string;
  /** fe80::… of eth0 when ipv6 is on. */
  readonly ip6ll: string | undefined;
  readonly mac: string;
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const NFT_TABLE = 'tandemtest';

function linkLocal(ns: string): string | undefined {
  const addrs = JSON.parse(ip(['-n', ns, '-j', 'addr', 'show', 'dev', 'eth0'])) as {
    addr_info?: { family: string; scope: string; local: string }[];
  }[];
  return addrs[0]?.addr_info?.find((a) => a.family === 'inet6' && a.scope === 'link')?.local;
}

function macOf(ns: string): string {
  const links = JSON.parse(ip(['-n', ns, '-j', 'link', 'show', 'dev', 'eth0'])) as {
    address: string;
  }[];
  return links[0]!.address;
}

/** The LAN: namespaces, addresses, and helpers to run things on and inspect its hosts. */
export class Lan {
  readonly hosts: readonly LanHost[];
  /** The first three octets of the subnet, e.g. `10.77.23`. */
  readonly subnet: string;
  readonly lanNs: string;
  #names: string[];
  #unhook: () => void;
  #closed = false;

  private constructor(subnet: string, lanNs: string, hosts: LanHost[], names: string[]) {
    this.subnet = subnet;
    this.lanNs = lanNs;
    this.hosts = hosts;
    this.#names = names;
    this.#unhook = onProcessExit(() => this.#deleteAll());
  }

  /** Builds the LAN; see createLan for the test-scoped form. */
  static create(opts: LanOptions): Lan {
    sweepStaleNamespaces();
    const prefix = runPrefix();
    // Distinct per run so captures and logs from parallel files never look alike; namespaces
    // keep the traffic apart anyway.
    const subnet = `10.${64 + (process.pid % 128)}.${Math.floor(Math.random() * 256)}`;
    const lanNs = `${prefix}lan`;
    const names = [lanNs];
    const cleanupOnError = (): void => names.forEach(deleteNamespace);
    try {
      addNamespace(lanNs);
      // Snooping off: VRRPv3 over IPv6 (ff02::12) must reach every port without MLD reports.
      ip(['-n', lanNs, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
      ip(['-n', lanNs, 'link', 'set', 'br0', 'up']);
      const hosts = opts.hosts.map((name, i): LanHost => {
        if (!/^[a-z0-9]{1,12}$/.test(name)) throw new Error(`bad LAN host name ${name}`);
        const ns = `${prefix}${name}`;
        addNamespace(ns);
        names.push(ns);
        const sysctl = (kv: string): string => runSync(inNs(ns, ['sysctl', '-qw', kv]));
        // Set before eth0 exists so its link-local address is never tentative (no DAD wait).
        sysctl('net.ipv6.conf.default.accept_dad=0');
        if (opts.ipv6 !== true) sysctl('net.ipv6.conf.default.disable_ipv6=1');
        const port = `v-${name}`;
        ip(['-n', lanNs, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
        ip(['-n', lanNs, 'link', 'set', port, 'master', 'br0', 'up']);
        const addr = `${subnet}.${i + 1}`;
        ip(['-n', ns, 'link', 'set', 'lo', 'up']);
        ip(['-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0']);
        ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
        return {
          name,
          ns,
          ifname: 'eth0',
          ip: addr,
          ip6ll: opts.ipv6 === true ? linkLocal(ns) : undefined,
          mac: macOf(ns),
        };
      });
      return new Lan(subnet, lanNs, hosts, names);
    } catch (err) {
      cleanupOnError();
      throw err;
    }
  }

  host(name: string): LanHost {
    const h = this.hosts.find((x) => x.name === name);
    if (h === undefined) throw new Error(`no LAN host ${name}`);
    return h;
  }

  /** An address in the LAN's subnet, for VIPs (hosts use 1..N). */
  address(n: number): string {
    return `${this.subnet}.${n}`;
  }

  /** Spawns argv inside the host's namespace (stopChild from processes.ts stops it). */
  exec(host: string, argv: readonly string[], opts: SpawnOptions = {}): Child {
    const [file, ...args] = inNs(this.host(host).ns, argv);
    return spawnChild(file!, args, opts);
  }

  /** Runs argv inside the host's namespace to completion (killed after timeoutMs). */
  run(host: string, argv: readonly string[], timeoutMs = 10_000): Promise<RunResult> {
    const [file, ...args] = inNs(this.host(host).ns, argv);
    return new Promise((resolve) => {
      const p = spawn(file!, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
      p.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      p.on('error', (err) => resolve({ code: null, stdout, stderr: stderr + err.message }));
      p.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  /** Synchronous form of run for setup steps; throws on a non-zero exit. */
  runSync(host: string, argv: readonly string[], input?: string): string {
    return runSync(inNs(this.host(host).ns, argv), input);
  }

  /** The MAC the host's neighbour table holds for addr, or undefined (none, or unresolved). */
  neigh(host: string, addr: string): string | undefined {
    const rows = JSON.parse(ip(['-n', this.host(host).ns, '-j', 'neigh', 'show', addr])) as {
      lladdr?: string;
      state?: string[];
    }[];
    const row = rows.find((r) => r.lladdr !== undefined && !r.state?.includes('FAILED'));
    return row?.lladdr;
  }

  /** True when addr (no prefix length) is configured on any interface of the host. */
  hasAddress(host: string, addr: string): boolean {
    const links = JSON.parse(ip(['-n', this.host(host).ns, '-j', 'addr', 'show'])) as {
      addr_info?: { local: string }[];
    }[];
    return links.some((l) => l.addr_info?.some((a) => a.local === addr) === true);
  }

  /**
   * Waits up to `ms` for `addr` to be present (or absent) on `host`: a VRRP state's log line is
   * written before the address change it announces reaches the kernel.
   */
  async addressBecomes(host: string, addr: string, present: boolean, ms = 1000): Promise<boolean> {
    const end = Date.now() + ms;
    for (;;) {
      if (this.hasAddress(host, addr) === present) return true;
      if (Date.now() >= end) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Lets the host create neighbour entries from gratuitous ARP (existing ones update anyway). */
  arpAccept(host: string): void {
    this.runSync(host, ['sysctl', '-qw', 'net.ipv4.conf.eth0.arp_accept=1']);
    this.runSync(host, ['sysctl', '-qw', 'net.ipv4.conf.all.arp_accept=1']);
  }

  /**
   * Drops incoming VRRP (IP protocol 112, both families) on the host: the firewall mistake behind
   * most keepalived split-brain reports (keepalived.md §5.1). unblockVrrp undoes it.
   */
  blockVrrp(host: string): void {
    const rules = [
      `table inet ${NFT_TABLE} {`,
      '  chain input {',
      '    type filter hook input priority 0; policy accept;',
      '    meta l4proto 112 drop',
      '  }',
      '}',
      '',
    ].join('\n');
    this.runSync(host, ['nft', '-f', '-'], rules);
  }

  unblockVrrp(host: string): void {
    this.runSync(host, ['nft', 'delete', 'table', 'inet', NFT_TABLE]);
  }

  /** Pulls the host's cable (its bridge port goes down): a crashed machine, as the LAN sees it. */
  unplug(host: string): void {
    ip(['-n', this.lanNs, 'link', 'set', `v-${this.host(host).name}`, 'down']);
  }

  plug(host: string): void {
    ip(['-n', this.lanNs, 'link', 'set', `v-${this.host(host).name}`, 'up']);
  }

  /** Kills whatever still runs in the namespaces and deletes them; idempotent. */
  cleanup(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unhook();
    this.#deleteAll();
  }

  #deleteAll(): void {
    for (const ns of this.#names) deleteNamespace(ns);
  }
}

/** A LAN torn down in `t.after` (and on process exit, should the test never get there). */
export function createLan(t: TestContext | undefined, opts: LanOptions): Lan {
  const lan = Lan.create(opts);
  t?.after(() => lan.cleanup());
  return lan;
}
