// DNS_CHECK, one attempt (keepalived check_dns.c; keepalived.conf(5) DNS_CHECK `type`, `name`):
// one query over a connected UDP socket. Like keepalived's dns_recv_thread, datagrams shorter
// than a header, with another id, or that are not responses (QR clear) are ignored and the wait
// goes on; the first matching response decides: RCODE 0 is success whatever the answer count
// (an empty NOERROR answer passes, as in keepalived), any other RCODE is a failure. Texts are
// keepalived's `DNS_CHECK (<server>) …` lines.

import { randomInt } from 'node:crypto';
import type { DnsCheck } from '../config/model.js';
import { decodeDnsReply, encodeDnsQuery } from './dns-packet.js';
import type { Probe, ProbeFailure, ProbeResult } from './probe.js';
import { closeQuietly, openUdpProbeSocket, strerror, type UdpEvent } from './udp-socket.js';

export function dnsProbe(check: DnsCheck): Probe {
  return (target, signal) =>
    new Promise<ProbeResult>((resolve) => {
      const line = (text: string): string => `DNS_CHECK (${target.label}) ${text}`;
      const id = randomInt(0x10000);
      const query = encodeDnsQuery(id, check.name, check.queryType);
      if (query === undefined) {
        resolve({ ok: false, failure: 'error', message: line(`invalid name '${check.name}'.`) });
        return;
      }
      let settled = false;
      const finish = (result: ProbeResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onTimeout);
        closeQuietly(sock);
        resolve(result);
      };
      const fail = (failure: ProbeFailure, text: string): void => {
        finish({ ok: false, failure, message: line(text) });
      };
      function onTimeout(): void {
        fail('timeout', 'read timeout from socket');
      }
      const onEvent = (event: UdpEvent): void => {
        if (event.kind === 'error') {
          fail('refused', `failed to read socket. ${strerror(event.code)}`);
          return;
        }
        const reply = decodeDnsReply(event.data);
        if (!reply.ok || reply.value.id !== id || !reply.value.qr) return; // not ours: keep waiting
        if (reply.value.rcode !== 0) {
          fail('mismatch', `read error occurred. (rcode = ${reply.value.rcode})`);
          return;
        }
        finish({ ok: true, message: line('success.') });
      };
      const timer = setTimeout(onTimeout, target.timeoutMs);
      const sock = openUdpProbeSocket(target, query, onEvent);
      if (signal.aborted) onTimeout();
      else signal.addEventListener('abort', onTimeout, { once: true });
    });
}
