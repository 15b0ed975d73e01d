// TCP_CHECK (keepalived.conf(5); keepalived's check_tcp.c): one attempt is one connect, a
// success as soon as the handshake completes, then an orderly close. The lines are keepalived's
// `tcp_check_thread` ones, verbatim, so log searches written for keepalived keep working.

import { connectTarget } from './connect.js';
import type { Probe } from './probe.js';

export const tcpProbe: Probe = async (target, signal) => {
  const c = await connectTarget(target, signal);
  if (c.ok) {
    // close(2) with nothing unread sends FIN, not RST (a server that logs aborted connections
    // should not see one per check), and without end() first it costs fewer event-loop turns.
    c.socket.on('error', () => undefined);
    c.socket.destroy();
    return { ok: true, message: `TCP connection to ${target.label} success.` };
  }
  if (c.failure === 'timeout') {
    return { ok: false, failure: 'timeout', message: `TCP connection to ${target.label} timeout.` };
  }
  return { ok: false, failure: c.failure, message: `TCP connection to ${target.label} failed.` };
};
