// A reload programs the file's services again (docs/control.md): what tandemadm changed at run
// time lasts until then. Services the file does not name are removed, the file's services that
// were deleted come back, and a scheduler or persistence changed by hand is set back. A service
// that already matches is not touched, so its connections carry on. Destinations are the
// checkers' business: CheckManager.load rewrites every pool right after.

import type { ConfigPlan, IpvsTable, ServiceKey, ServiceSpec } from '../ipvs/index.js';
import type { ServiceSnapshot } from '../ipvs/snapshot.js';

function keyOf(s: ServiceSnapshot): ServiceKey {
  return s.protocol === undefined
    ? { kind: 'fwmark', family: s.family, fwmark: s.fwmark }
    : {
        kind: 'ip',
        protocol: s.protocol,
        family: s.family,
        address: s.address ?? '',
        port: s.port,
      };
}

function id(k: ServiceKey): string {
  return k.kind === 'fwmark'
    ? `fwmark:${k.family}:${k.fwmark}`
    : `${k.protocol}:${k.family}:${k.address}:${k.port}`;
}

function differs(have: ServiceSnapshot, want: ServiceSpec): boolean {
  const p = want.persistence;
  return (
    have.scheduler !== want.scheduler ||
    have.flags.persistent !== (p !== undefined) ||
    (p !== undefined && have.timeout !== p.timeout)
  );
}

/** Brings the table's services back to the file's; returns how many were changed. */
export function reconcileServices(table: IpvsTable, plan: ConfigPlan): number {
  const wanted = new Map<string, ServiceSpec>();
  for (const s of plan.services) if (s.action !== 'remove') wanted.set(id(s.spec.key), s.spec);
  let changed = 0;
  const have = new Map<string, ServiceSnapshot>();
  for (const svc of table.snapshot().services) {
    const k = keyOf(svc);
    if (wanted.has(id(k))) have.set(id(k), svc);
    else {
      table.deleteService(k);
      changed++;
    }
  }
  for (const [key, spec] of wanted) {
    const cur = have.get(key);
    if (cur === undefined) table.addService(spec);
    else if (differs(cur, spec)) table.editService(spec);
    else continue;
    changed++;
  }
  return changed;
}
