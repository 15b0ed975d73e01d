// The netlink changes that bring the kernel from what tandem last programmed to what the table
// now holds: services that went are deleted, new ones created, changed ones set; destinations
// likewise, within each service. Nothing is sent for what did not change, so a health verdict
// is one SET_DEST or DEL_DEST and a reload that keeps a service leaves its connections alone.
// Destinations are added oldest first: the kernel puts each new one at the head of its list,
// so the kernel's order ends up the table's (most recently added first) and `ipvsadm -L -n`
// prints them in the order tandemadm does. Pure: state in, operations out.

import type { IpvsDestSpec, IpvsServiceSpec } from '../../sys/ipvs-netlink.js';
import { destId, sameDest, sameService, serviceId } from './kernel-spec.js';

/** One service as programmed (or wanted): its settings and destinations by destId. */
export interface ProgrammedService {
  readonly spec: IpvsServiceSpec;
  /** In the table's order: most recently added first. */
  readonly dests: ReadonlyMap<string, IpvsDestSpec>;
}

export type ProgrammedTable = ReadonlyMap<string, ProgrammedService>;

export type SyncOp =
  | { readonly op: 'new-service' | 'set-service'; readonly service: IpvsServiceSpec }
  | { readonly op: 'del-service'; readonly service: IpvsServiceSpec }
  | {
      readonly op: 'new-dest' | 'set-dest' | 'del-dest';
      readonly service: IpvsServiceSpec;
      readonly dest: IpvsDestSpec;
    };

export function programmedService(
  spec: IpvsServiceSpec,
  dests: readonly IpvsDestSpec[],
): ProgrammedService {
  return { spec, dests: new Map(dests.map((d) => [destId(d), d])) };
}

/** The wanted table, keyed as the plan expects. */
export function wantedTable(
  services: readonly ProgrammedService[],
): Map<string, ProgrammedService> {
  return new Map(services.map((s) => [serviceId(s.spec), s]));
}

/** Deletions first (they free addresses a new service may reuse), then additions and edits. */
export function planSync(have: ProgrammedTable, want: ProgrammedTable): SyncOp[] {
  const ops: SyncOp[] = [];
  for (const [id, h] of have) {
    if (!want.has(id)) ops.push({ op: 'del-service', service: h.spec });
  }
  for (const [id, w] of want) {
    const h = have.get(id);
    if (h === undefined) {
      ops.push({ op: 'new-service', service: w.spec });
      for (const d of [...w.dests.values()].reverse()) {
        ops.push({ op: 'new-dest', service: w.spec, dest: d });
      }
      continue;
    }
    if (!sameService(w.spec, h.spec)) ops.push({ op: 'set-service', service: w.spec });
    for (const [did, d] of h.dests) {
      if (!w.dests.has(did)) ops.push({ op: 'del-dest', service: w.spec, dest: d });
    }
    for (const d of [...w.dests.values()].reverse()) {
      const old = h.dests.get(destId(d));
      if (old === undefined) ops.push({ op: 'new-dest', service: w.spec, dest: d });
      else if (!sameDest(d, old)) ops.push({ op: 'set-dest', service: w.spec, dest: d });
    }
  }
  return ops;
}
