// From an ipvsadm command (snapshot vocabulary: dotted masks, `address` keys) to the table's
// own request types (prefix lengths, `ip` keys), the way libipvs fills the netlink request
// from ipvsadm's ipvs_service_t / ipvs_dest_t (shared/reference/ipvs.md §6.5, §7). What the
// table cannot hold is refused the way the kernel would refuse it, as an AppError.

import { LVS_SCHEDULERS, type LvsSched } from '../../config/model.js';
import { AppError } from '../../lib/errors.js';
import { netmaskToPrefix } from '../../lib/inet.js';
import type { ServiceKey as CommandServiceKey } from '../service-key.js';
import type {
  DestKey,
  DestSpec,
  ServiceKey as TableServiceKey,
  ServiceSpec as TableServiceSpec,
} from '../services.js';
import type { Family } from '../../lib/inet.js';
import type { IpvsadmCommand, ServerAddress, ServerSpec } from './command.js';

type ServiceCommand = Extract<IpvsadmCommand, { command: 'add-service' | 'edit-service' }>;

export function tableServiceKey(key: CommandServiceKey): TableServiceKey {
  if (key.kind === 'fwmark') return key;
  const { protocol, family, address, port } = key;
  return { kind: 'ip', protocol, family, address, port };
}

/** The kernel looks schedulers up by module name; an unknown one is ENOENT. */
function scheduler(name: string): LvsSched {
  const known = LVS_SCHEDULERS.find((s) => s === name);
  if (known === undefined) throw new AppError('ERR_IPVS_NO_SCHEDULER');
  return known;
}

/**
 * The persistence granularity as a prefix length. The kernel keeps any 32-bit IPv4 mask, but
 * the table matches clients by prefix, so a non-contiguous mask is refused (EINVAL).
 */
function prefixOf(netmask: string, family: Family): number {
  const prefix = family === 'inet' ? netmaskToPrefix(netmask) : Number(netmask);
  if (prefix === undefined || !Number.isInteger(prefix)) throw new AppError('ERR_IPVS_INVALID');
  return prefix;
}

export function tableServiceSpec(cmd: ServiceCommand): TableServiceSpec {
  const key = tableServiceKey(cmd.service);
  const { flags } = cmd;
  return {
    key,
    scheduler: scheduler(cmd.scheduler),
    ...(flags.persistent
      ? { persistence: { timeout: cmd.timeout, netmask: prefixOf(cmd.netmask, key.family) } }
      : {}),
    onePacket: flags.onePacket,
    sched1: flags.sched1,
    sched2: flags.sched2,
    sched3: flags.sched3,
    ...(cmd.pe === undefined ? {} : { pe: cmd.pe }),
  };
}

export function tableDestSpec(server: ServerSpec): DestSpec {
  return {
    address: server.address,
    family: server.family,
    port: server.port,
    weight: server.weight,
    method: server.method,
    uThreshold: server.uThreshold,
    lThreshold: server.lThreshold,
    ...(server.tunnel === undefined ? {} : { tunnel: server.tunnel }),
  };
}

export function tableDestKey(server: ServerAddress): DestKey & { readonly family: Family } {
  return { address: server.address, port: server.port, family: server.family };
}
