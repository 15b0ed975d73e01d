// From the virtual server table to the kernel ruleset: a pure function of the services, the
// interfaces they use, the timeouts and the dest numbering. Each service is DR (all its real
// servers `route`) or NAT (all `masq`); what nftables cannot do is skipped with a reason the
// plane logs once (support.ts), never programmed half-way.

import type { ServiceSnapshot, Timeouts } from '../../ipvs/index.js';
import type { Family } from '../../lib/inet.js';
import { drTable, type DrService } from './dr.js';
import type { CounterRef, ObjectCache, PlannedService } from './keys.js';
import type { DestNumbers } from './names.js';
import { drTableName, NAT_TABLE, serviceId, servicePrefix } from './names.js';
import { natTable } from './nat.js';
import type { NftRuleset, NftTable } from './ruleset.js';
import {
  COUNTING_SCHEDULERS,
  HASHABLE_SCHEDULERS,
  hashSlotTable,
  slotTable,
  type SlotTable,
} from './slots.js';
import { serviceMethod, unsupportedReason, type NftMethod } from './support.js';

export interface BuildOptions {
  /** The interface an address is reached on (VIP: where its traffic arrives). */
  readonly interfaceOf: (address: string, family: Family) => string | undefined;
  /** Whether an interface exists (a netdev chain on a missing one fails the transaction). */
  readonly interfaceExists?: (ifname: string) => boolean;
  readonly timeouts: Timeouts;
  readonly flowsSize: number;
  readonly masquerade: boolean;
  /** The forwarding method of services that have no real server right now (from the config). */
  readonly methodHint?: (id: string) => NftMethod | undefined;
  /** Counting schedulers: picks to lay out per service id (about a period's new connections). */
  readonly windows?: ReadonlyMap<string, number>;
  /** Slot tables of earlier builds, reused while what they depend on is unchanged. */
  readonly slotCache?: Map<string, { readonly sig: string; readonly slots: SlotTable }>;
  /** Services' objects of earlier builds, reused likewise (keys.ts). */
  readonly objectCache?: ObjectCache;
  /** The current DR refresh period's number (dr.ts; default 0). */
  readonly epoch?: number;
  /** DR rr/wrr/sh/dh/mh services without persistence hash every packet, with no flow map. */
  readonly drStateless?: boolean;
}

/** Everything a slot table depends on (counts only for the counting schedulers). */
function slotSignature(svc: ServiceSnapshot, window: number, hashed: boolean): string {
  const counting = COUNTING_SCHEDULERS.has(svc.scheduler);
  const f = svc.flags;
  const dests = svc.dests.map(
    (d) =>
      `${d.address}/${d.port}/${d.weight}/${d.overloaded ? 1 : 0}${counting ? `/${d.activeConns}/${d.inactConns}` : ''}`,
  );
  return `${hashed ? 'hash ' : ''}${svc.scheduler} ${f.sched1 ? 1 : 0}${f.sched2 ? 1 : 0}${f.sched3 ? 1 : 0} ${counting ? window : ''} ${dests.join(' ')}`;
}

/** A programmed service: where its objects are and which number each real server has. */
export interface BuiltService {
  readonly planned: PlannedService;
  readonly method: NftMethod;
  readonly table: { readonly family: string; readonly name: string };
  /** DR without a flow map (BuildOptions.drStateless). */
  readonly stateless?: boolean;
}

export interface Built {
  readonly ruleset: NftRuleset;
  /** Counter object → dest, by table key (`netdev tandem_dr_eth0`). */
  readonly counters: ReadonlyMap<string, ReadonlyMap<string, CounterRef>>;
  /** Services programmed, by id. */
  readonly programmed: ReadonlyMap<string, BuiltService>;
  /** Ids of programmed services whose scheduler is approximated from connection counts. */
  readonly counting: readonly string[];
  readonly skipped: readonly { readonly id: string; readonly reason: string }[];
}

export function buildRuleset(
  services: readonly ServiceSnapshot[],
  numbers: DestNumbers,
  opts: BuildOptions,
): Built {
  const dr = new Map<string, DrService[]>();
  const nat: PlannedService[] = [];
  const skipped: { id: string; reason: string }[] = [];
  const programmed = new Map<string, BuiltService>();
  const counting: string[] = [];
  for (const svc of services) {
    const id = serviceId(svc);
    const why = unsupportedReason(svc);
    if (why !== undefined) {
      skipped.push({ id: svc.fwmark > 0 ? `fwmark:${svc.fwmark}` : id, reason: why });
      continue;
    }
    const method = serviceMethod(svc) ?? opts.methodHint?.(id);
    if (method === undefined) {
      skipped.push({ id, reason: 'no real servers and no known forwarding method' });
      continue;
    }
    const window = opts.windows?.get(id) ?? 0;
    const hashed =
      opts.drStateless === true &&
      method === 'dr' &&
      HASHABLE_SCHEDULERS.has(svc.scheduler) &&
      !svc.flags.persistent &&
      !svc.flags.onePacket;
    const sig = slotSignature(svc, window, hashed);
    const cached = opts.slotCache?.get(id);
    const slots =
      cached?.sig === sig ? cached.slots : hashed ? hashSlotTable(svc) : slotTable(svc, { window });
    if (slots !== undefined) opts.slotCache?.set(id, { sig, slots });
    if (slots === undefined) {
      skipped.push({ id, reason: `scheduler ${svc.scheduler} is unknown` });
      continue;
    }
    const planned: PlannedService = {
      svc,
      prefix: servicePrefix(svc),
      slots,
      slotSig: sig,
      numbers: svc.dests.map((d) => numbers.numberOf(id, d)),
    };
    if (method === 'nat') {
      nat.push(planned);
      programmed.set(id, { planned, method, table: { family: 'inet', name: NAT_TABLE } });
    } else {
      const vipDev = opts.interfaceOf(svc.address ?? '', svc.family);
      if (vipDev === undefined) {
        skipped.push({
          id,
          reason: `no interface found for VIP ${svc.address ?? ''} (give --nft-interface)`,
        });
        continue;
      }
      const exists = opts.interfaceExists ?? (() => true);
      const devices = svc.dests.map((d) => opts.interfaceOf(d.address, d.family) ?? vipDev);
      const missing = [vipDev, ...devices].find((dev) => !exists(dev));
      if (missing !== undefined) {
        skipped.push({ id, reason: `interface ${missing} does not exist` });
        continue;
      }
      const list = dr.get(vipDev) ?? [];
      list.push({ ...planned, devices, stateless: hashed });
      dr.set(vipDev, list);
      programmed.set(id, {
        planned,
        method,
        table: { family: 'netdev', name: drTableName(vipDev) },
        stateless: hashed,
      });
    }
    if (COUNTING_SCHEDULERS.has(svc.scheduler)) counting.push(id);
  }
  numbers.retain(new Set(programmed.keys()));
  if (opts.slotCache !== undefined) {
    for (const id of opts.slotCache.keys()) if (!programmed.has(id)) opts.slotCache.delete(id);
  }
  if (opts.objectCache !== undefined) {
    const prefixes = new Set([...programmed.values()].map((s) => s.planned.prefix));
    for (const key of opts.objectCache.keys()) {
      if (!prefixes.has(key.slice(key.indexOf(' ') + 1))) opts.objectCache.delete(key);
    }
  }
  const flow = { timeouts: opts.timeouts, flowsSize: opts.flowsSize };
  const tables: NftTable[] = [];
  const counters = new Map<string, ReadonlyMap<string, CounterRef>>();
  for (const [dev, list] of [...dr].sort(([a], [b]) => a.localeCompare(b))) {
    const t = drTable(dev, list, { ...flow, epoch: opts.epoch ?? 0 }, opts.objectCache);
    tables.push(t.table);
    counters.set(`${t.table.family} ${t.table.name}`, t.counters);
  }
  const n = natTable(nat, { ...flow, masquerade: opts.masquerade }, opts.objectCache);
  if (n !== undefined) {
    tables.push(n.table);
    counters.set(`${n.table.family} ${n.table.name}`, n.counters);
  }
  return { ruleset: tables, counters, programmed, counting, skipped };
}
