// Which probe runs each checker type, with the context it needs from the configuration, and how
// long one attempt may take before the runner abandons it (the guard). Probes are built only when
// a runner is made (`create`): in worker mode the main thread asks only whether a type runs and
// its guard, so files a probe reads (TLS keys) are read once, in the worker. BFD_CHECK needs a
// BFD instance, which tandem does not run: undefined, and the manager treats it as always up.

import { dnsProbe } from './dns.js';
import { fileProbe } from './file.js';
import { httpProbe } from './http.js';
import { vsLabel } from './labels.js';
import type { ProbeFactory } from './manager.js';
import { miscProbe } from './misc.js';
import { pingProbe } from './ping.js';
import type { Probe } from './probe.js';
import { smtpProbe } from './smtp.js';
import { tcpProbe } from './tcp.js';
import { udpProbe } from './udp.js';

/** Probe types whose attempt is a few network operations, each bounded by connect_timeout. */
const NETWORK_OPS = 4;

function made(create: () => Probe, guardMs: number): { create: () => Probe; guardMs: number } {
  return { create, guardMs };
}

export const probeFactory: ProbeFactory = (c, { vs, rs, config }) => {
  if (c.type === 'BFD_CHECK') return undefined;
  if (c.type === 'FILE_CHECK') {
    const track = config.trackFiles.find((t) => t.name === c.trackFile);
    return made(() => fileProbe(c, track, { realServerWeight: rs.weight }), 2000);
  }
  const guard = c.connectTimeout * 1000 * NETWORK_OPS + 1000;
  switch (c.type) {
    case 'MISC_CHECK':
      return made(
        () =>
          miscProbe(c, {
            ...(config.global.scriptUser === undefined
              ? {}
              : { scriptUser: config.global.scriptUser }),
            vsLabel: vsLabel(vs),
            realServerWeight: rs.weight,
          }),
        c.miscTimeout * 1000 + 5000,
      );
    case 'PING_CHECK':
      return made(() => pingProbe(c, { vsLabel: vsLabel(vs) }), guard);
    case 'SMTP_CHECK':
      return made(() => smtpProbe(c), guard);
    case 'DNS_CHECK':
      return made(() => dnsProbe(c), guard);
    case 'UDP_CHECK':
      return made(() => udpProbe(c), guard);
    case 'TCP_CHECK':
      return made(() => tcpProbe, guard);
    case 'HTTP_GET':
    case 'SSL_GET':
      return made(() => httpProbe(c, config.ssl, rs.virtualhost), guard);
  }
};
