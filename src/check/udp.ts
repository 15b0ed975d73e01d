// UDP_CHECK, one attempt (keepalived check_udp.c and layer4.c udp_socket_state;
// keepalived.conf(5) UDP_CHECK `payload`, `require_reply`, `min_reply_length`,
// `max_reply_length`). The payload (empty when absent) goes out on a connected socket, then:
// - without require_reply, silence until connect_timeout is success and so is any reply; only an
//   ICMP unreachable (ECONNREFUSED on the connected socket) fails;
// - with require_reply, the first reply is needed (silence fails). When require_reply has data,
//   the reply's length must lie in [min_reply_length, max_reply_length] and its first
//   min(length, pattern length) bytes must match the pattern, `x` nibbles matching anything.
//   A bare `require_reply` accepts any reply of any length, as keepalived does (its length
//   check sits inside the data comparison).

import type { UdpCheck } from '../config/model.js';
import type { Probe, ProbeFailure, ProbeResult } from './probe.js';
import { closeQuietly, openUdpProbeSocket, type UdpEvent } from './udp-socket.js';

export interface ReplyPattern {
  readonly data: Uint8Array;
  /** Bits set where the reply may differ (the `x` nibbles). */
  readonly mask: Uint8Array;
}

/** `require_reply` hex (even length, `x` = any nibble, as the config layer checks) to bytes. */
export function parseReplyPattern(hex: string): ReplyPattern {
  const n = Math.floor(hex.length / 2);
  const data = new Uint8Array(n);
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (const [k, shift] of [
      [2 * i, 4],
      [2 * i + 1, 0],
    ] as const) {
      const c = hex[k] ?? '0';
      if (c === 'x' || c === 'X') mask[i] = (mask[i] ?? 0) | (0xf << shift);
      else data[i] = (data[i] ?? 0) | ((parseInt(c, 16) || 0) << shift);
    }
  }
  return { data, mask };
}

/** keepalived's check_udp_reply, inverted: true when the reply is acceptable. */
export function replyMatches(
  reply: Uint8Array,
  pattern: ReplyPattern,
  minLength: number,
  maxLength: number,
): boolean {
  if (reply.length < minLength || reply.length > maxLength) return false;
  const n = Math.min(reply.length, pattern.data.length);
  for (let i = 0; i < n; i++) {
    if (((reply[i] ?? 0) ^ (pattern.data[i] ?? 0)) & ~(pattern.mask[i] ?? 0) & 0xff) return false;
  }
  return true;
}

export function udpProbe(check: UdpCheck): Probe {
  const payload = Buffer.from(check.payload ?? '', 'hex');
  const requireReply = check.requireReply !== undefined;
  const pattern =
    check.requireReply === undefined || check.requireReply === ''
      ? undefined
      : parseReplyPattern(check.requireReply);
  return (target, signal) =>
    new Promise<ProbeResult>((resolve) => {
      const label = target.label;
      let settled = false;
      const finish = (result: ProbeResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onTimeout);
        closeQuietly(sock);
        resolve(result);
      };
      const success = (): void =>
        finish({ ok: true, message: `UDP connection to ${label} success.` });
      const fail = (failure: ProbeFailure): void => {
        finish({ ok: false, failure, message: `UDP connection to ${label} failed.` });
      };
      function onTimeout(): void {
        if (requireReply) fail('timeout');
        else success();
      }
      const onEvent = (event: UdpEvent): void => {
        if (event.kind === 'error') {
          fail('refused');
          return;
        }
        if (
          pattern !== undefined &&
          !replyMatches(event.data, pattern, check.minReplyLength, check.maxReplyLength)
        ) {
          finish({
            ok: false,
            failure: 'mismatch',
            message: `UDP check to ${label} reply data mismatch.`,
          });
          return;
        }
        success();
      };
      const timer = setTimeout(onTimeout, target.timeoutMs);
      const sock = openUdpProbeSocket(target, payload, onEvent);
      if (signal.aborted) onTimeout();
      else signal.addEventListener('abort', onTimeout, { once: true });
    });
}
