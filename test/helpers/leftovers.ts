// What a program may leave behind on this machine, read before and after it runs: addresses on
// interfaces, network namespaces and nftables tables (a snapshot to compare), processes whose
// command line names a path, and sockets bound to given IPv4 addresses (/proc/net/{tcp,udp}).

import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

export interface SystemSnapshot {
  /** `IFNAME ADDRESS/PREFIX`, sorted (lifetimes left out: they tick). */
  readonly addresses: readonly string[];
  readonly netns: readonly string[];
  /** `family name`; empty when nft is missing or not permitted. */
  readonly nftTables: readonly string[];
}

function run(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : '';
}

interface IpAddrJson {
  readonly ifname?: string;
  readonly addr_info?: readonly { readonly local?: string; readonly prefixlen?: number }[];
}

/**
 * The snapshot; `only` keeps only the namespaces a test is about (other test files may create
 * and delete their own meanwhile).
 */
export function systemSnapshot(only = /./): SystemSnapshot {
  let links: IpAddrJson[];
  try {
    links = JSON.parse(run('ip', ['-j', 'addr', 'show']) || '[]') as IpAddrJson[];
  } catch {
    links = [];
  }
  const addresses = links
    .flatMap((l) => (l.addr_info ?? []).map((a) => `${l.ifname ?? '?'} ${a.local}/${a.prefixlen}`))
    .sort();
  const netns = run('ip', ['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((l) => l !== '' && only.test(l))
    .sort();
  const nftTables = run('nft', ['list', 'tables'])
    .split('\n')
    .map((l) => l.replace(/^table /, '').trim())
    .filter((l) => l !== '')
    .sort();
  return { addresses, netns, nftTables };
}

/** `PID COMMAND LINE` of every process whose command line contains `text`. */
export function processesMatching(text: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    } catch {
      continue; // gone meanwhile
    }
    if (cmdline.includes(text)) out.push(`${entry} ${cmdline}`);
  }
  return out;
}

/** /proc/net's little-endian hex IPv4 address. */
function ipv4(hex: string): string {
  const n = Number.parseInt(hex, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.');
}

/**
 * TCP listeners and UDP sockets bound to any of `addresses`, as `tcp 127.0.0.100:8080`.
 * (Connections in TIME_WAIT belong to the kernel, not to a process, and are not counted.)
 */
export function boundSockets(addresses: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const proto of ['tcp', 'udp'] as const) {
    let text: string;
    try {
      text = readFileSync(`/proc/net/${proto}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      const [addrHex, portHex] = (f[1] ?? '').split(':');
      if (addrHex === undefined || portHex === undefined) continue;
      // tcp: only listeners (state 0A); udp: every bound socket.
      if (proto === 'tcp' && f[3] !== '0A') continue;
      const address = ipv4(addrHex);
      if (addresses.has(address)) out.push(`${proto} ${address}:${Number.parseInt(portHex, 16)}`);
    }
  }
  return out.sort();
}
