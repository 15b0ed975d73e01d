// --dataplane: which data plane the daemon runs, and how the nftables one is wired to the
// configuration. `nft` needs root and working nftables (libnftables, or the nft command);
// `auto` takes nft when those hold and the configuration has nothing nft cannot program
// (docs/nft.md), else the userspace proxy, and says which and why.

import { compileConfig, type Config } from '../config/index.js';
import type { DataPlane } from '../dataplane/index.js';
import {
  checkNftConfig,
  configuredVipInterfaces,
  defaultRunner,
  hostAddresses,
  interfaceFor,
  NftDataPlane,
  nftUsable,
  type NftMethod,
  type NftRunner,
} from '../dataplane/nft/index.js';
import { serviceKeysOf, type IpvsTable } from '../ipvs/index.js';
import type { Clock } from '../lib/clock.js';
import { bracketed } from '../lib/inet.js';
import type { Logger } from '../lib/log.js';
import { hostInterfaces } from './host.js';

export type PlaneFactory = (
  table: IpvsTable,
  log: Logger,
  config: () => Config | undefined,
) => DataPlane;

export type PlaneChoice =
  | { readonly ok: true; readonly kind: 'proxy'; readonly why?: string }
  | { readonly ok: true; readonly kind: 'nft'; readonly runner: NftRunner }
  | { readonly ok: false; readonly message: string };

export interface ChoiceInput {
  readonly dataplane: 'proxy' | 'nft' | 'auto';
  /** -P: VRRP only, no virtual servers: no plane may touch nftables. */
  readonly vrrpOnly?: boolean;
  readonly file: string;
  readonly configId?: string;
  readonly uid?: number;
  /** For tests: the runner to probe instead of libnftables/nft. */
  readonly runner?: () => NftRunner;
}

export function choosePlane(input: ChoiceInput): PlaneChoice {
  if (input.dataplane === 'proxy') return { ok: true, kind: 'proxy' };
  // `tandem -P` next to a `tandem -C` must not remove the other one's tables at its stop.
  if (input.vrrpOnly === true)
    return { ok: true, kind: 'proxy', why: '-P runs no virtual servers' };
  const uid = input.uid ?? process.getuid?.();
  if (uid !== 0) {
    return input.dataplane === 'nft'
      ? { ok: false, message: '--dataplane nft needs root (CAP_NET_ADMIN)' }
      : { ok: true, kind: 'proxy', why: 'not root' };
  }
  const runner = (input.runner ?? defaultRunner)();
  if (!nftUsable(runner)) {
    runner.close();
    return input.dataplane === 'nft'
      ? {
          ok: false,
          message: '--dataplane nft: nftables is not usable (is the nft command installed?)',
        }
      : { ok: true, kind: 'proxy', why: 'nftables is not usable' };
  }
  if (input.dataplane === 'auto') {
    const r = compileConfig(input.file, {
      interfaces: hostInterfaces(),
      ...(input.configId === undefined ? {} : { configId: input.configId }),
    });
    if (r.ok && checkNftConfig(r.config).length > 0) {
      runner.close();
      return {
        ok: true,
        kind: 'proxy',
        why: 'the configuration has virtual servers nft cannot program',
      };
    }
  }
  return { ok: true, kind: 'nft', runner };
}

/** Service id (`tcp:10.0.0.1:80`) → the configured lb_kind, for services with no real server. */
function methodOf(config: Config | undefined, id: string): NftMethod | undefined {
  for (const vs of config?.virtualServers ?? []) {
    for (const s of serviceKeysOf(vs, config?.virtualServerGroups ?? []) ?? []) {
      const k = s.key;
      if (k.kind !== 'ip') continue;
      if (`${k.protocol.toLowerCase()}:${bracketed(k.address)}:${k.port}` !== id) continue;
      if (vs.lvsMethod === 'DR') return 'dr';
      if (vs.lvsMethod === 'NAT') return 'nat';
      return undefined;
    }
  }
  return undefined;
}

export interface NftWiring {
  readonly runner: NftRunner;
  readonly clock: Clock;
  readonly nftInterface?: string;
  readonly masquerade: boolean;
}

export function nftPlaneFactory(w: NftWiring): PlaneFactory {
  return (table, log, config) =>
    new NftDataPlane({
      table,
      log,
      clock: w.clock,
      runner: w.runner,
      masquerade: w.masquerade,
      interfaceOf: (address, family) =>
        interfaceFor(address, family, {
          ...(w.nftInterface === undefined ? {} : { override: w.nftInterface }),
          configured: configuredVipInterfaces(config()),
          host: hostAddresses(),
        }),
      methodHint: (id) => methodOf(config(), id),
    });
}
