// VRRPv3 over IPv6 between tandem and keepalived 2.2.7 (RFC 5798): adverts to ff02::12 from the
// directors' link-local addresses, an IPv6 VIP, election both ways and the clean-stop handover.

import { test } from 'node:test';
import { requireRoot, requireTool } from '../helpers/tools.js';
import { handover } from '../helpers/vrrp-handover.js';

for (const master of ['tandem', 'keepalived'] as const) {
  const backup = master === 'tandem' ? 'keepalived' : 'tandem';
  test(
    `VRRPv3 IPv6 multicast: ${master} master, ${backup} backup, clean stop hands over`,
    {
      timeout: 30_000,
    },
    async (t) => {
      if (!requireRoot(t, 'network namespaces and VRRP raw sockets')) return;
      if (!requireTool(t, 'keepalived')) return;
      const r = await handover(t, { version: 3, master, unicast: false, ipv6: true });
      t.diagnostic(`${backup} took over ${r.takeoverMs} ms after ${master} was stopped`);
    },
  );
}
