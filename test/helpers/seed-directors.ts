// The directors of the seed topology (seed-topology.ts): the keepalived.conf both run (VRRP for
// the VIP, and in NAT for the real servers' gateway too, in one sync group; a virtual_server with
// `lb_kind DR` or `NAT` and a checker per real server), the hand-written nftables rules that do
// LVS-DR and LVS-NAT without tandem (the tests' and the bench's reference for the kernel path),
// and whether tandem's nftables data plane runs on this machine.

import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vrrpInstanceConf } from './keepalived.js';
import { TANDEM } from './paths.js';
import type { SeedTopology } from './seed-topology.js';

export type Director = 'd1' | 'd2';

export interface DirectorConfOptions {
  readonly director: Director;
  /** Default rr. */
  readonly lbAlgo?: string;
  /** Default HTTP_GET on `/` (status 200); none: no checker, servers always alive. */
  readonly checker?: 'HTTP_GET' | 'TCP_CHECK' | 'none';
  /** Seconds; defaults 1, 1, 1, 1 (keepalived's seeds use 6, 3, 3, 3). */
  readonly delayLoop?: number;
  readonly connectTimeout?: number;
  readonly retry?: number;
  readonly delayBeforeRetry?: number;
  /** VRRPv3 advert interval, seconds (default 0.1). */
  readonly advertInt?: number;
  /** Without VRRP the VIP is the test's to add (benches: one director, no failover). */
  readonly vrrp?: boolean;
}

/** d1 is the preferred master, as in the seeds. */
const PRIORITY: Record<Director, number> = { d1: 150, d2: 100 };

function checkerBlock(o: DirectorConfOptions, port: number): string[] {
  const timing = [
    `      connect_timeout ${o.connectTimeout ?? 1}`,
    `      retry ${o.retry ?? 1}`,
    `      delay_before_retry ${o.delayBeforeRetry ?? 1}`,
  ];
  switch (o.checker ?? 'HTTP_GET') {
    case 'HTTP_GET':
      return [
        '    HTTP_GET {',
        '      url {',
        '        path /',
        '        status_code 200',
        '      }',
        ...timing,
        '    }',
      ];
    case 'TCP_CHECK':
      return ['    TCP_CHECK {', `      connect_port ${port}`, ...timing, '    }'];
    case 'none':
      return [];
  }
}

/** The keepalived.conf of one seed director. */
export function seedDirectorConf(topo: SeedTopology, o: DirectorConfOptions): string {
  const lines = ['global_defs {', `  router_id ${o.director}`, '}', ''];
  if (o.vrrp !== false) {
    const base = {
      state: o.director === 'd1' ? ('MASTER' as const) : ('BACKUP' as const),
      priority: PRIORITY[o.director],
      advertInt: o.advertInt ?? 0.1,
      version: 3 as const,
    };
    if (topo.gateway !== undefined) {
      lines.push('vrrp_sync_group VG_1 {', '  group {', '    VI_1', '    VI_2', '  }', '}', '');
    }
    lines.push(
      vrrpInstanceConf({
        ...base,
        name: 'VI_1',
        interface: topo.frontIf,
        vrid: 51,
        vips: [`${topo.vip}/24`],
      }),
    );
    if (topo.gateway !== undefined && topo.backIf !== undefined) {
      const vips = [`${topo.gateway}/24`];
      lines.push(
        vrrpInstanceConf({ ...base, name: 'VI_2', interface: topo.backIf, vrid: 52, vips }),
      );
    }
  }
  lines.push(
    `virtual_server ${topo.vip} ${topo.port} {`,
    `  delay_loop ${o.delayLoop ?? 1}`,
    `  lb_algo ${o.lbAlgo ?? 'rr'}`,
    `  lb_kind ${topo.kind}`,
    '  protocol TCP',
  );
  for (const rs of topo.realServers) {
    lines.push(
      `  real_server ${rs.ip} ${topo.port} {`,
      '    weight 1',
      ...checkerBlock(o, topo.port),
      '  }',
    );
  }
  lines.push('}', '');
  return lines.join('\n');
}

/**
 * The longest a refused real server may stay in the pool (docs/checkers.md): the wait for the
 * next run (delay_loop + 10% jitter, at most 1 s), retry+1 attempts, retry pauses, plus 1 s for
 * the data plane to apply the verdict.
 */
export function checkerBoundMs(o: Omit<DirectorConfOptions, 'director'>): number {
  const delayLoop = o.delayLoop ?? 1;
  const attempts = ((o.retry ?? 1) + 1) * 0.1; // a refused connect is immediate
  const pauses = (o.retry ?? 1) * (o.delayBeforeRetry ?? 1);
  return (delayLoop + Math.min(1, delayLoop * 0.1) + attempts + pauses + 1) * 1000;
}

/** The table of the hand-written rules (never one of tandem's). */
export const HAND_TABLE = 'tandemhand';

/**
 * LVS by hand. DR: a netdev ingress rule on the VIP's interface that forwards VIP:80 to a real
 * server picked by a hash of the client's address and port (the same server for every packet of
 * a connection; no conntrack), leaving the IP header alone. NAT: conntrack DNAT, the next server
 * in turn for each new connection; forwarding must be on (installHandRule does that).
 */
export function handRuleset(topo: SeedTopology): string {
  const map = topo.realServers.map((rs, i) => `${i} : ${rs.ip}`).join(', ');
  const n = topo.realServers.length;
  const match = `ip daddr ${topo.vip} tcp dport ${topo.port}`;
  if (topo.kind === 'DR') {
    return [
      `table netdev ${HAND_TABLE} {`,
      '  chain ingress {',
      `    type filter hook ingress device ${topo.frontIf} priority 0; policy accept;`,
      `    ${match} counter fwd ip to jhash ip saddr . tcp sport mod ${n} map { ${map} } device ${topo.frontIf}`,
      '  }',
      '}',
      '',
    ].join('\n');
  }
  return [
    `table ip ${HAND_TABLE} {`,
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    `    ${match} counter dnat to numgen inc mod ${n} map { ${map} }`,
    '  }',
    '}',
    '',
  ].join('\n');
}

export function installHandRule(topo: SeedTopology, director: Director): void {
  if (topo.kind === 'NAT') topo.lan.runSync(director, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  topo.lan.runSync(director, ['nft', '-f', '-'], handRuleset(topo));
}

export function removeHandRule(topo: SeedTopology, director: Director): void {
  const family = topo.kind === 'DR' ? 'netdev' : 'ip';
  topo.lan.runSync(director, ['nft', 'delete', 'table', family, HAND_TABLE]);
}

export type PlaneCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

let nftPlane: PlaneCheck | undefined;

/**
 * Whether tandem runs `--dataplane nft` here: started in a throwaway network namespace on an
 * empty configuration, it exits at once with the reason when it cannot (a build without the
 * plane, no nftables in the kernel), and keeps running until the probe's 3 s are up when it
 * can. Needs root (unshare -n).
 */
export function tandemNftPlane(): PlaneCheck {
  if (nftPlane !== undefined) return nftPlane;
  const dir = mkdtempSync(join(tmpdir(), 'tandem-nft-probe-'));
  try {
    const conf = join(dir, 'keepalived.conf');
    writeFileSync(conf, 'global_defs {\n  router_id probe\n}\n');
    const args = ['-n', process.execPath, TANDEM, '-n', '-l', '-f', conf, '--dataplane', 'nft'];
    args.push('--control', 'off', '--admin', 'off');
    const r = spawnSync('unshare', args, {
      encoding: 'utf8',
      timeout: 3000,
      env: { ...process.env, TMPDIR: dir },
    });
    // Still running at the deadline: killed by the timeout (tandem exits cleanly on SIGTERM, so
    // the status may be 0 rather than a signal).
    const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
    if (timedOut || r.signal !== null) nftPlane = { ok: true };
    else if (r.error !== undefined) {
      nftPlane = { ok: false, reason: `cannot probe: ${r.error.message}` };
    } else {
      const why = r.stderr.trim().split('\n')[0] ?? '';
      nftPlane = { ok: false, reason: `tandem --dataplane nft exited ${r.status}: ${why}` };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return nftPlane;
}

/** True when tandem runs `--dataplane nft` here; otherwise skips (or, under CI, fails) the test. */
export function requireNftPlane(t: TestContext): boolean {
  const probe = tandemNftPlane();
  if (probe.ok) return true;
  if (process.env.CI === 'true')
    throw new Error(`tandem --dataplane nft is required under CI=true: ${probe.reason}`);
  t.skip(`tandem --dataplane nft does not run here: ${probe.reason}`);
  return false;
}
