// Which data plane `--dataplane` gives the daemon (docs/ipvs-kernel.md, docs/proxy.md): `ipvs`
// programs the kernel's IPVS table and loads ip_vs when it is missing, as keepalived does;
// `proxy` is the userspace proxy; `auto` takes the kernel's IPVS when the kernel has it
// (/proc/net/ip_vs, or the IPVS netlink family) and this process may change it, else the proxy.

import { existsSync } from 'node:fs';
import { IpvsDataPlane, type DataPlane } from '../dataplane/index.js';
import type { IpvsTable } from '../ipvs/index.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import { openIpvs, type IpvsKernel, type IpvsResult } from '../sys/ipvs-kernel.js';

export type PlaneFactory = (table: IpvsTable, log: Logger) => DataPlane;

export type DataplaneChoice =
  | {
      readonly ok: true;
      readonly kind: 'ipvs' | 'proxy';
      /** Undefined: the daemon's default, the proxy. */
      readonly factory?: PlaneFactory;
      /** Why auto chose what it chose. */
      readonly reason?: string;
    }
  | { readonly ok: false; readonly message: string };

export interface ChoiceOptions {
  readonly clock: Clock;
  /** --dont-release-ipvs. */
  readonly dontRelease: boolean;
  /** The kernel's IPVS client (tests give another). */
  readonly open?: (modprobe: boolean) => IpvsResult<IpvsKernel>;
}

function openKernel(modprobe: boolean): IpvsResult<IpvsKernel> {
  const r = openIpvs({ modprobe });
  return r.ok ? { ok: true, value: r.kernel } : r;
}

/** Present when the ip_vs module is loaded (in this network namespace). */
const PROC_IP_VS = '/proc/net/ip_vs';

function ipvsFactory(kernel: IpvsKernel, o: ChoiceOptions): PlaneFactory {
  return (table, log) =>
    new IpvsDataPlane({ table, log, kernel, clock: o.clock, release: !o.dontRelease });
}

/** An IPVS client that may change the table: GET_INFO needs CAP_NET_ADMIN like every change. */
function usableIpvs(
  o: ChoiceOptions,
  modprobe: boolean,
): { ok: true; kernel: IpvsKernel } | { ok: false; why: string } {
  const opened = (o.open ?? openKernel)(modprobe);
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

export function chooseDataplane(kind: string, o: ChoiceOptions): DataplaneChoice {
  switch (kind) {
    case 'proxy':
      return { ok: true, kind: 'proxy' };
    case 'ipvs': {
      const k = usableIpvs(o, true);
      if (!k.ok) return { ok: false, message: `--dataplane=ipvs: ${k.why}` };
      return { ok: true, kind: 'ipvs', factory: ipvsFactory(k.kernel, o) };
    }
    case 'auto': {
      const k = usableIpvs(o, false);
      if (k.ok) {
        return {
          ok: true,
          kind: 'ipvs',
          factory: ipvsFactory(k.kernel, o),
          reason: 'the kernel has IPVS',
        };
      }
      const why = existsSync(PROC_IP_VS) ? k.why : 'the kernel has no IPVS loaded';
      return { ok: true, kind: 'proxy', reason: why };
    }
    default:
      return {
        ok: false,
        message: `--dataplane=${kind} is not implemented yet (issue 9); use ipvs, proxy or auto`,
      };
  }
}
