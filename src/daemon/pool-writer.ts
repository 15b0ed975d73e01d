// Applies the checker subsystem's verdicts to the table: each virtual server's destinations are
// made exactly the desired set (add the missing, re-weight the changed, delete the extra), per
// table service the virtual server expands to (a group gives several). Destinations that do not
// change are not touched, so their connections and statistics carry on.

import type { DesiredDest, PoolWriter } from '../check/index.js';
import type { Config, VirtualServer } from '../config/index.js';
import {
  destSpecOf,
  forwardMethod,
  serviceKeysOf,
  type DestSpec,
  type IpvsTable,
} from '../ipvs/index.js';
import { parseIp } from '../lib/inet.js';
import type { Logger } from '../lib/log.js';

function specOf(d: DesiredDest): DestSpec | undefined {
  if (d.rs !== undefined) return { ...destSpecOf(d.rs), weight: d.weight };
  const ss = d.sorry;
  const family = ss === undefined ? undefined : parseIp(ss.address)?.family;
  if (ss === undefined || family === undefined) return undefined;
  return {
    address: ss.address,
    family,
    port: ss.port ?? 0,
    weight: d.weight,
    method: forwardMethod(ss.lvsMethod),
  };
}

export function poolWriter(
  table: IpvsTable,
  config: () => Config | undefined,
  log: Logger,
): PoolWriter {
  return {
    apply(vs: VirtualServer, dests: readonly DesiredDest[]): void {
      const groups = config()?.virtualServerGroups ?? [];
      const want = new Map<string, DestSpec>();
      for (const d of dests) {
        const spec = specOf(d);
        if (spec !== undefined) want.set(`${spec.address}|${spec.port}`, spec);
      }
      for (const { key } of serviceKeysOf(vs, groups) ?? []) {
        if (!table.hasService(key)) continue;
        try {
          const have = table.service(key).dests;
          for (const d of have) {
            if (!want.has(`${d.address}|${d.port}`)) table.deleteDest(key, d);
          }
          for (const [id, spec] of want) {
            const cur = have.find((d) => `${d.address}|${d.port}` === id);
            if (cur === undefined) table.addDest(key, spec);
            else if (
              cur.weight !== spec.weight ||
              cur.uThreshold !== (spec.uThreshold ?? 0) ||
              cur.lThreshold !== (spec.lThreshold ?? 0) ||
              cur.method !== spec.method
            )
              table.editDest(key, spec);
          }
        } catch (err) {
          log.error({ err, vs: vs.key }, 'cannot update the virtual server’s destinations');
        }
      }
    },
  };
}
