// Reload as a planned diff (house style §24; keepalived's reload keeps what did not change):
// compare two compiled configurations by the stable keys of virtual servers (`tcp:VIP:port`,
// `fwmark:N`) and real servers (`address|port`) and produce add / edit / remove / keep steps.
// `applyPlan` executes them so untouched services, destinations and their connections are never
// disturbed; `applyConfig` is the plan from nothing. A `virtual_server group` becomes one service per
// member address or mark (config-map.ts).

import type { Config, VirtualServer } from '../config/model.js';
import { isDeepStrictEqual } from 'node:util';
import { destKeyOf, destSpecOf, serviceKeysOf, serviceSpecOf } from './config-map.js';
import { serviceId, type DestSpec, type ServiceSpec } from './services.js';
import type { Timeouts } from './snapshot.js';
import type { IpvsTable } from './table.js';

export type PlanAction = 'add' | 'edit' | 'remove' | 'keep';

export interface DestPlan {
  readonly action: PlanAction;
  readonly key: string;
  readonly spec: DestSpec;
}

export interface ServicePlan {
  readonly action: PlanAction;
  /** VirtualServer.key, or for a group one id per member address or mark. */
  readonly key: string;
  readonly spec: ServiceSpec;
  readonly dests: readonly DestPlan[];
}

export interface ConfigPlan {
  readonly services: readonly ServicePlan[];
  /** `--set` values from global_defs lvs_timeouts (0 = keep). */
  readonly timeouts: Timeouts;
  /** Virtual servers the plan cannot cover (unknown group, unexpandable range), by key. */
  readonly skipped: readonly string[];
}

interface Compiled {
  readonly spec: ServiceSpec;
  readonly dests: Map<string, DestSpec>;
}

function compile(config: Config | undefined): { byKey: Map<string, Compiled>; skipped: string[] } {
  const byKey = new Map<string, Compiled>();
  const skipped: string[] = [];
  for (const vs of config?.virtualServers ?? []) {
    const services = serviceKeysOf(vs, config?.virtualServerGroups ?? []);
    if (services === undefined) {
      skipped.push(vs.key);
      continue;
    }
    const dests = destsOf(vs);
    for (const s of services) byKey.set(s.id, { spec: serviceSpecOf(vs, s.key), dests });
  }
  return { byKey, skipped };
}

function destsOf(vs: VirtualServer): Map<string, DestSpec> {
  const out = new Map<string, DestSpec>();
  for (const rs of vs.realServers) {
    const spec = destSpecOf(rs);
    out.set(destKeyOf(spec), spec);
  }
  return out;
}

function diffDests(before: Map<string, DestSpec>, after: Map<string, DestSpec>): DestPlan[] {
  const plan: DestPlan[] = [];
  for (const [key, spec] of before) {
    if (!after.has(key)) plan.push({ action: 'remove', key, spec });
  }
  for (const [key, spec] of after) {
    const old = before.get(key);
    const action = old === undefined ? 'add' : isDeepStrictEqual(old, spec) ? 'keep' : 'edit';
    plan.push({ action, key, spec });
  }
  return plan;
}

export function diffConfig(oldConfig: Config | undefined, newConfig: Config): ConfigPlan {
  const before = compile(oldConfig).byKey;
  const { byKey: after, skipped } = compile(newConfig);
  const services: ServicePlan[] = [];
  for (const [key, c] of before) {
    const next = after.get(key);
    // Same config key but another table identity (e.g. fwmark family changed): replace.
    if (next === undefined || serviceId(next.spec.key) !== serviceId(c.spec.key)) {
      services.push({ action: 'remove', key, spec: c.spec, dests: [] });
    }
  }
  for (const [key, c] of after) {
    const old = before.get(key);
    if (old === undefined || serviceId(old.spec.key) !== serviceId(c.spec.key)) {
      services.push({ action: 'add', key, spec: c.spec, dests: diffDests(new Map(), c.dests) });
      continue;
    }
    const dests = diffDests(old.dests, c.dests);
    const action = isDeepStrictEqual(old.spec, c.spec) ? 'keep' : 'edit';
    services.push({ action, key, spec: c.spec, dests });
  }
  const t = newConfig.global.lvsTimeouts;
  return {
    services,
    timeouts: { tcp: t.tcp ?? 0, tcpfin: t.tcpfin ?? 0, udp: t.udp ?? 0 },
    skipped,
  };
}

/**
 * Execute a plan: removals first, then edits and additions in configuration order. With
 * `dests: false` only services are touched: the health checkers own the destinations.
 */
export function applyPlan(
  table: IpvsTable,
  plan: ConfigPlan,
  options: { readonly dests?: boolean } = {},
): void {
  const dests = options.dests ?? true;
  table.setTimeouts(plan.timeouts);
  for (const s of plan.services) {
    if (s.action === 'remove') table.deleteService(s.spec.key);
  }
  for (const s of plan.services) {
    if (s.action === 'remove') continue;
    if (s.action === 'add') table.addService(s.spec);
    if (s.action === 'edit') table.editService(s.spec);
    if (!dests) continue;
    for (const d of s.dests) {
      if (d.action === 'remove') table.deleteDest(s.spec.key, d.spec);
    }
    for (const d of s.dests) {
      if (d.action === 'add') table.addDest(s.spec.key, d.spec);
      if (d.action === 'edit') table.editDest(s.spec.key, d.spec);
    }
  }
}

/** Create the services and destinations of `config` in an empty table. */
export function applyConfig(table: IpvsTable, config: Config): ConfigPlan {
  const plan = diffConfig(undefined, config);
  applyPlan(table, plan);
  return plan;
}
