// PING_CHECK, one attempt (keepalived check_ping.c; keepalived.conf(5) PING_CHECK): one ICMP or
// ICMPv6 echo request, success on the matching echo reply within connect_timeout. Sockets come
// from src/sys/icmp.ts (unprivileged datagram socket, else raw). The socket is non-blocking and
// drained on a short timer that backs off from 1 ms to 10 ms, so the event loop never blocks and
// no worker thread is held for the whole timeout. keepalived fails on the first non-reply it
// reads; a raw socket also sees other hosts' pings and our own request on loopback, so those are
// skipped, and only a destination unreachable quoting our request fails early.

import { ipv6Bytes, parseIp } from '../lib/inet.js';
import type { PingCheck } from '../config/model.js';
import {
  closeIcmpSocket,
  icmpReceive,
  icmpSend,
  openIcmpSocket,
  type IcmpSocket,
} from '../sys/icmp.js';
import { classifyEcho, encodeEchoRequest, type EchoMatch } from './icmp-packet.js';
import type { Probe, ProbeFailure, ProbeResult, ProbeTarget } from './probe.js';

export interface PingProbeOptions {
  /** `[10.0.0.100]:tcp:80`, for keepalived's "ICMP connection to X of VS failed." line. */
  readonly vsLabel?: string;
}

const POLL_MIN_MS = 1;
const POLL_MAX_MS = 10;
const RECV_BUFFER = 1500;

let seqNo = 0;

function addressBytes(target: ProbeTarget): Uint8Array | undefined {
  const ip = parseIp(target.address);
  if (ip === undefined) return undefined;
  if (ip.family === 'inet') return Uint8Array.from(ip.text.split('.').map(Number));
  return ipv6Bytes(ip.text);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function pingProbe(_check: PingCheck, opts: PingProbeOptions = {}): Probe {
  return (target, signal) =>
    new Promise<ProbeResult>((resolve) => {
      const label = target.label;
      const failedLine =
        opts.vsLabel === undefined
          ? `ICMP connection to ${label} failed.`
          : `ICMP connection to ${label} of ${opts.vsLabel} failed.`;
      const v6 = target.family === 'inet6' ? 'v6' : '';
      const dest = addressBytes(target);
      if (dest === undefined) {
        resolve({
          ok: false,
          failure: 'error',
          message: `ICMP${v6} bad address ${target.address}.`,
        });
        return;
      }
      const opened = openIcmpSocket(target.family, target.bindto);
      if (!opened.ok) {
        const why =
          opened.syscall === 'koffi'
            ? 'native sockets (koffi) are unavailable on this platform'
            : `${opened.syscall}: ${opened.code}; needs net.ipv4.ping_group_range or CAP_NET_RAW`;
        resolve({
          ok: false,
          failure: 'error',
          message: `ICMP${v6} connect fail to create socket (${why}).`,
        });
        return;
      }
      const sock: IcmpSocket = opened.socket;
      const id = Math.floor(Math.random() * 0x10000);
      const seq = seqNo++ & 0xffff;
      const match: EchoMatch = {
        family: target.family,
        withIpHeader: sock.kind === 'raw' && target.family === 'inet',
        id,
        seq,
        checkId: sock.kind === 'raw',
      };
      let settled = false;
      let poll: NodeJS.Timeout | undefined;
      const finish = (result: ProbeResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        clearTimeout(poll);
        signal.removeEventListener('abort', onTimeout);
        closeIcmpSocket(sock);
        resolve(result);
      };
      const fail = (failure: ProbeFailure): void => {
        finish({ ok: false, failure, message: failedLine });
      };
      function onTimeout(): void {
        finish({
          ok: false,
          failure: 'timeout',
          message: `ICMP connection to address ${label} timeout.`,
        });
      }
      const buf = new Uint8Array(RECV_BUFFER);
      const drain = (): void => {
        for (;;) {
          const got = icmpReceive(sock, buf);
          if (!got.ok) {
            if (got.code !== 'EAGAIN') fail('refused');
            return;
          }
          const verdict = classifyEcho(buf.subarray(0, got.length), match);
          if (verdict === 'other') continue;
          // An unreachable comes from a router, not the target; a reply must be the target's.
          if (verdict === 'unreachable') fail('refused');
          else if (sameBytes(got.from, dest)) {
            finish({ ok: true, message: `ICMP connection to ${label} success.` });
          }
          if (settled) return;
        }
      };
      let wait = POLL_MIN_MS;
      const tick = (): void => {
        drain();
        if (settled) return;
        poll = setTimeout(tick, wait);
        wait = Math.min(wait * 2, POLL_MAX_MS);
      };
      const deadline = setTimeout(onTimeout, target.timeoutMs);
      if (signal.aborted) {
        onTimeout();
        return;
      }
      signal.addEventListener('abort', onTimeout, { once: true });
      const sendError = icmpSend(sock, encodeEchoRequest(target.family, id, seq), target.address);
      if (sendError !== undefined) {
        fail('refused');
        return;
      }
      tick();
    });
}
