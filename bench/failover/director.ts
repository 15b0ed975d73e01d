// The pluggable VRRP speaker of the failover bench: anything that can run one VRRP instance in a
// LAN host, report when it entered a state, and die cleanly (priority 0) or abruptly (SIGKILL).
// keepalived is the reference implementation here; tandem registers its own factory in
// DIRECTORS once its speaker runs, so every scenario compares like with like.

import type { Lan } from '../../test/helpers/lan.js';
import { Keepalived, keepalivedConf } from '../../test/helpers/keepalived.js';

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

/** keepalived 2.2.7 with the config keepalivedConf builds; state from its log lines (§2.10). */
export const keepalivedDirector: DirectorFactory = (lan, host, p) => {
  const ka = Keepalived.start(lan, host, keepalivedConf(host, [p]));
  const director: Director = {
    impl: 'keepalived',
    host,
    mark: () => ka.mark(),
    waitForState: async (state, timeoutMs, from = 0) => {
      const re = new RegExp(`\\(VI_1\\) Entering ${state} STATE`);
      return (await ka.waitForLog(re, timeoutMs, from)).t;
    },
    stop: () => ka.stop(),
    kill: () => ka.kill(),
    log: () => ka.logText(),
  };
  return Promise.resolve(director);
};

/** Implementations by name, for `--pair master/backup`. */
export const DIRECTORS: Readonly<Record<string, DirectorFactory>> = {
  keepalived: keepalivedDirector,
};
