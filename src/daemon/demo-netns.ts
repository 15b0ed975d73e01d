// The network of `tandem demo --netns`, built with iproute2: a bridge in a namespace of its own
// (nothing is added to the host's namespace) and one namespace per host — the client, the two
// directors and the three real servers — each with `eth0` on the bridge and its seed address
// (192.168.138.x/24). Deleting the namespaces removes everything in them: veths, addresses,
// routes, the directors' nftables tables and the real servers' sysctls.

import { spawnSync } from 'node:child_process';
import type { DemoPlan } from './demo-plan.js';

/** Runs a command; its stderr (or exit status) as the error, undefined on success. */
function run(argv: readonly string[]): string | undefined {
  const [file = '', ...args] = argv;
  const r = spawnSync(file, args, { encoding: 'utf8' });
  if (r.error !== undefined) return `${file}: ${r.error.message}`;
  if (r.status === 0) return undefined;
  return `${argv.join(' ')}: ${r.stderr.trim() || `exit status ${r.status ?? '?'}`}`;
}

function ip(args: readonly string[]): void {
  const err = run(['ip', ...args]);
  if (err !== undefined) throw new Error(err);
}

/** The namespaces of this plan that exist now. */
export function existingNamespaces(plan: DemoPlan): string[] {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  const present = new Set(r.stdout.split('\n').map((l) => l.split(' ')[0] ?? ''));
  return (plan.netns?.all ?? []).filter((ns) => present.has(ns));
}

/** Deletes the plan's namespaces (and so everything in them); the errors, if any. */
export function deleteNamespaces(plan: DemoPlan): string[] {
  const errors: string[] = [];
  for (const ns of existingNamespaces(plan).reverse()) {
    const err = run(['ip', 'netns', 'del', ns]);
    if (err !== undefined) errors.push(err);
  }
  return errors;
}

interface Host {
  readonly ns: string;
  readonly address: string;
  /** The bridge port's name (≤ 15 characters). */
  readonly port: string;
}

function hostsOf(plan: DemoPlan): Host[] {
  const netns = plan.netns;
  if (netns === undefined) throw new Error('not a namespace plan');
  const hosts: Host[] = [{ ns: netns.client.ns, address: netns.client.address, port: 'v-client' }];
  for (const d of plan.directors)
    hosts.push({ ns: d.ns ?? '', address: d.address, port: `v-${d.id}` });
  for (const r of plan.realServers)
    hosts.push({ ns: r.ns ?? '', address: r.address, port: `v-rs${r.n}` });
  return hosts;
}

/** Builds the LAN; on failure deletes what it made and throws. */
export function buildNetwork(plan: DemoPlan): void {
  const netns = plan.netns;
  if (netns === undefined) throw new Error('not a namespace plan');
  try {
    ip(['netns', 'add', netns.lan]);
    // Snooping off: VRRP's multicast adverts must reach every port without IGMP reports.
    ip(['-n', netns.lan, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
    ip(['-n', netns.lan, 'link', 'set', 'br0', 'up']);
    for (const h of hostsOf(plan)) {
      ip(['netns', 'add', h.ns]);
      ip([
        '-n',
        netns.lan,
        'link',
        'add',
        h.port,
        'type',
        'veth',
        'peer',
        'name',
        'eth0',
        'netns',
        h.ns,
      ]);
      ip(['-n', netns.lan, 'link', 'set', h.port, 'master', 'br0', 'up']);
      ip(['-n', h.ns, 'link', 'set', 'lo', 'up']);
      ip(['-n', h.ns, 'addr', 'add', `${h.address}/24`, 'dev', 'eth0']);
      ip(['-n', h.ns, 'link', 'set', 'eth0', 'up']);
    }
  } catch (err) {
    deleteNamespaces(plan);
    throw err;
  }
}

/** argv run inside namespace `ns`. */
export function inNamespace(ns: string | undefined, argv: readonly string[]): string[] {
  return ns === undefined ? [...argv] : ['ip', 'netns', 'exec', ns, ...argv];
}

/** `tandem realserver start --vip VIP` in each real server's namespace; the first error. */
export function prepareRealServers(plan: DemoPlan, tandem: string): string | undefined {
  for (const rs of plan.realServers) {
    const state = `${plan.runDir}/rs${rs.n}-realserver.json`;
    const argv = [process.execPath, tandem, 'realserver', 'start', '--vip', plan.vip];
    const err = run(inNamespace(rs.ns, [...argv, '--state', state]));
    if (err !== undefined) return `real server ${rs.n}: ${err}`;
  }
  return undefined;
}
