// Priority 0 between tandem and keepalived 2.2.7 over VRRPv3 multicast (RFC 5798 §6.4.3): a
// master that stops sends priority 0, and the backup, whichever daemon it is, logs
// "Backup received priority 0 advertisement" and takes over after Skew_Time (0.609 s at
// priority 100, advert_int 1) instead of Master_Down_Interval (3.609 s).

import { test } from 'node:test';
import { requireRoot, requireTool } from '../helpers/tools.js';
import { handover } from '../helpers/vrrp-handover.js';

for (const master of ['tandem', 'keepalived'] as const) {
  const backup = master === 'tandem' ? 'keepalived' : 'tandem';
  test(
    `VRRPv3 multicast: ${master} master stops, ${backup} takes over in Skew_Time`,
    {
      timeout: 30_000,
    },
    async (t) => {
      if (!requireRoot(t, 'network namespaces and VRRP raw sockets')) return;
      if (!requireTool(t, 'keepalived')) return;
      const r = await handover(t, { version: 3, master, unicast: false });
      t.diagnostic(`${backup} took over ${r.takeoverMs} ms after ${master} was stopped`);
    },
  );
}
