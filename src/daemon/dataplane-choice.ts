// --dataplane: which data plane the daemon runs, and how the kernel ones are wired. `ipvs` needs
// a kernel with IPVS that this process may change (CAP_NET_ADMIN), and loads ip_vs when it is
// missing, as keepalived does (docs/ipvs-kernel.md); `nft` needs root and working nftables
// (libnftables, or the nft command; docs/nft.md). `auto` takes ipvs when the kernel already has
// it, else nft when root, nftables work and the configuration has nothing nft cannot program,
// else the userspace proxy, and says which and why.

import { compileConfig, type Config } from '../config/index.js';
import { IpvsDataPlane, type DataPlane } from '../dataplane/index.js';
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
import { openIpvs, type IpvsKernel, type IpvsResult } from '../sys/ipvs-kernel.js';
import { hostInterfaces } from './host.js';

export type PlaneFactory = (
  table: IpvsTable,
  log: Logger,
  config: () => Config | undefined,
) => DataPlane;

export type PlaneChoice =
  | { readonly ok: true; readonly kind: 'proxy'; readonly why?: string }
  | { readonly ok: true; readonly kind: 'nft'; readonly runner: NftRunner }
  | { readonly ok: true; readonly kind: 'ipvs'; readonly kernel: IpvsKernel; readonly why?: string }
  | { readonly ok: false; readonly message: string };

export interface ChoiceInput {
  readonly dataplane: 'proxy' | 'nft' | 'ipvs' | 'auto';
  /** -P: VRRP only, no virtual servers: no plane may touch nftables. */
  readonly vrrpOnly?: boolean;
  readonly file: string;
  readonly configId?: string;
  readonly uid?: number;
  /** For tests: the runner to probe instead of libnftables/nft. */
  readonly runner?: () => NftRunner;
  /** For tests: the IPVS client instead of the kernel's (`modprobe`: may load ip_vs). */
  readonly ipvs?: (modprobe: boolean) => IpvsResult<IpvsKernel>;
}

function openKernel(modprobe: boolean): IpvsResult<IpvsKernel> {
  const r = openIpvs({ modprobe });
  return r.ok ? { ok: true, value: r.kernel } : r;
}

/** An IPVS client that may change the table: GET_INFO needs CAP_NET_ADMIN like every change. */
function usableIpvs(
  input: ChoiceInput,
  modprobe: boolean,
): { ok: true; kernel: IpvsKernel } | { ok: false; why: string } {
  const opened = (input.ipvs ?? openKernel)(modprobe);
  if (!opened.ok) {
    const why =
      opened.code === 'ENOENT'
        ? 'the kernel has no IPVS (the ip_vs module is not loaded and could not be)'
        : `cannot reach the kernel's IPVS: ${opened.message} (${opened.code})`;
    return { ok: false, why };
  }
  const info = opened.value.info();
  if (!info.ok) {
    opened.value.close();
    const why =
      info.code === 'EPERM'
        ? "changing the kernel's IPVS table needs CAP_NET_ADMIN (run as root)"
        : `the kernel's IPVS does not answer: ${info.message} (${info.code})`;
    return { ok: false, why };
  }
  return { ok: true, kernel: opened.value };
}

export function choosePlane(input: ChoiceInput): PlaneChoice {
  if (input.dataplane === 'proxy') return { ok: true, kind: 'proxy' };
  if (input.dataplane === 'ipvs') {
    // -P too: the VRRP half runs the connection-sync daemon, as keepalived's VRRP process does.
    const k = usableIpvs(input, true);
    return k.ok
      ? { ok: true, kind: 'ipvs', kernel: k.kernel }
      : { ok: false, message: `--dataplane ipvs: ${k.why}` };
  }
  if (input.dataplane === 'auto') {
    // Never a module load on auto: only a kernel that has IPVS already.
    const k = usableIpvs(input, false);
    if (k.ok) return { ok: true, kind: 'ipvs', kernel: k.kernel, why: 'the kernel has IPVS' };
  }
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
  /** --nft-dr-stateless. */
  readonly drStateless?: boolean;
}

export function nftPlaneFactory(w: NftWiring): PlaneFactory {
  return (table, log, config) =>
    new NftDataPlane({
      table,
      log,
      clock: w.clock,
      runner: w.runner,
      masquerade: w.masquerade,
      drStateless: w.drStateless ?? false,
      interfaceOf: (address, family) =>
        interfaceFor(address, family, {
          ...(w.nftInterface === undefined ? {} : { override: w.nftInterface }),
          configured: configuredVipInterfaces(config()),
          host: hostAddresses(),
        }),
      methodHint: (id) => methodOf(config(), id),
    });
}

export interface IpvsWiring {
  readonly kernel: IpvsKernel;
  readonly clock: Clock;
  /** --dont-release-ipvs. */
  readonly dontRelease: boolean;
}

export function ipvsPlaneFactory(w: IpvsWiring): PlaneFactory {
  return (table, log) =>
    new IpvsDataPlane({ table, log, kernel: w.kernel, clock: w.clock, release: !w.dontRelease });
}
