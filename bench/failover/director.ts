// The pluggable VRRP speaker of the failover bench: anything that can run one VRRP instance in a
// LAN host, report when it entered a state, and die cleanly (priority 0) or abruptly (SIGKILL).
// keepalived is the reference implementation; tandem runs from the very same keepalived.conf
// text, so every scenario compares like with like. With `dataPlane` set, the director also
// serves VIP:port through tandem's proxy data plane (tandem: in the same process, as deployed;
// keepalived: a second tandem with `-C`, so the host carries the same data-plane load).

import type { Lan } from '../../test/helpers/lan.js';
import { Keepalived, keepalivedConf } from '../../test/helpers/keepalived.js';
import { TandemNode } from '../../test/helpers/tandem-node.js';

export interface DirectorParams {
  readonly state: 'MASTER' | 'BACKUP';
  readonly vrid: number;
  readonly priority: number;
  /** Seconds (v3: hundredths allowed). */
  readonly advertInt: number;
  readonly version: 2 | 3;
  readonly authPass?: string;
  /** VIPs with prefix length, e.g. `10.1.2.100/24`. */
  readonly vips: readonly string[];
  readonly unicastSrcIp?: string;
  readonly unicastPeers?: readonly string[];
  /** Serve the first VIP on `port` through a proxy data plane to `realServers` (`ip port`). */
  readonly dataPlane?: { readonly port: number; readonly realServers: readonly string[] };
}

export interface Director {
  /** Implementation name, e.g. `keepalived`. */
  readonly impl: string;
  readonly host: string;
  /** Position in the log, so waitForState can ignore what happened before an action. */
  mark(): number;
  /** Epoch ms at which the instance entered `state` (after `from`); rejects after timeoutMs. */
  waitForState(state: 'MASTER' | 'BACKUP', timeoutMs: number, from?: number): Promise<number>;
  /** Orderly shutdown: a master sends priority 0 and removes its VIPs. */
  stop(): Promise<void>;
  /** SIGKILL: no priority-0 advert, VIPs stay behind. */
  kill(): Promise<void>;
  log(): string;
}

export type DirectorFactory = (lan: Lan, host: string, p: DirectorParams) => Promise<Director>;

const STATE_RE = (state: string): RegExp => new RegExp(`\\(VI_1\\) Entering ${state} STATE`);

/** A NAT `virtual_server` block (no checkers) for the data plane, as keepalived.conf(5) has it. */
export function virtualServerConf(vip: string, dp: NonNullable<DirectorParams['dataPlane']>) {
  const reals = dp.realServers.map((r) => `  real_server ${r} {\n    weight 1\n  }`);
  return [
    `virtual_server ${vip} ${dp.port} {`,
    '  lb_algo rr',
    '  lb_kind NAT',
    '  protocol TCP',
    ...reals,
    '}',
    '',
  ].join('\n');
}

function configText(host: string, p: DirectorParams, withPlane = true): string {
  const { dataPlane, ...inst } = p;
  const conf = keepalivedConf(host, [inst]);
  if (dataPlane === undefined || !withPlane) return conf;
  const vip = (p.vips[0] ?? '').split('/')[0] ?? '';
  return `${conf}\n${virtualServerConf(vip, dataPlane)}`;
}

/** keepalived 2.2.7 with the config keepalivedConf builds; state from its log lines (§2.10). */
export const keepalivedDirector: DirectorFactory = (lan, host, p) => {
  const ka = Keepalived.start(lan, host, configText(host, p, false));
  // keepalived's own LVS half needs the IPVS module; tandem -C moves the same bytes instead.
  const plane =
    p.dataPlane === undefined
      ? undefined
      : TandemNode.start(lan, host, configText(host, p), 'check');
  const director: Director = {
    impl: 'keepalived',
    host,
    mark: () => ka.mark(),
    waitForState: async (state, timeoutMs, from = 0) =>
      (await ka.waitForLog(STATE_RE(state), timeoutMs, from)).t,
    stop: async () => {
      await ka.stop();
      await plane?.stop();
    },
    kill: async () => {
      await ka.kill();
      await plane?.kill();
    },
    log: () => ka.logText(),
  };
  return Promise.resolve(director);
};

/** tandem from the same keepalived.conf; VRRP only (`-P`) unless it also runs the data plane. */
export const tandemDirector: DirectorFactory = (lan, host, p) => {
  const node = TandemNode.start(
    lan,
    host,
    configText(host, p),
    p.dataPlane === undefined ? 'vrrp' : 'all',
  );
  const director: Director = {
    impl: 'tandem',
    host,
    mark: () => node.mark(),
    waitForState: async (state, timeoutMs, from = 0) =>
      (await node.waitForLog(STATE_RE(state), timeoutMs, from)).t,
    stop: () => node.stop(),
    kill: () => node.kill(),
    log: () => node.logText(),
  };
  return Promise.resolve(director);
};

/** Implementations by name, for `--pair master/backup`. */
export const DIRECTORS: Readonly<Record<string, DirectorFactory>> = {
  keepalived: keepalivedDirector,
  tandem: tandemDirector,
};
