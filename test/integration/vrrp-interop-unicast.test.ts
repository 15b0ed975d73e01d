// tandem and keepalived 2.2.7 with unicast_src_ip and unicast_peer on both sides, VRRPv2 with
// PASS authentication and VRRPv3: each daemon as master with the other as backup, and the
// master's clean stop handing the VIP over in Skew_Time (its priority-0 advert goes unicast too).

import { test } from 'node:test';
import { requireRoot, requireTool } from '../helpers/tools.js';
import { handover } from '../helpers/vrrp-handover.js';

for (const version of [2, 3] as const) {
  for (const master of ['tandem', 'keepalived'] as const) {
    const backup = master === 'tandem' ? 'keepalived' : 'tandem';
    test(
      `VRRPv${version} unicast: ${master} master, ${backup} backup, clean stop hands over`,
      {
        timeout: 30_000,
      },
      async (t) => {
        if (!requireRoot(t, 'network namespaces and VRRP raw sockets')) return;
        if (!requireTool(t, 'keepalived')) return;
        const r = await handover(t, { version, master, unicast: true });
        t.diagnostic(`${backup} took over ${r.takeoverMs} ms after ${master} was stopped`);
      },
    );
  }
}
