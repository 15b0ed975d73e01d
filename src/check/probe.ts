// The contract between the checker runner and the checker types (house style §21: keepalived's
// checker function table as an interface). A probe makes ONE attempt — a connect, a request, a
// script run — bounded by its timeout and an AbortSignal, and resolves to a verdict; it never
// throws and never retries (retries, delay_loop and state belong to the runner, runner.ts).
// Verdicts carry the text keepalived logs for that checker, so log lines stay verbatim.

import type { Family } from '../lib/inet.js';

/** Where a probe connects: connect_ip/connect_port, else the real server's address and port. */
export interface ProbeTarget {
  readonly address: string;
  readonly family: Family;
  /** 0 when neither the checker nor the real server has a port (only MISC/PING/FILE). */
  readonly port: number;
  /** `[10.0.0.2]:tcp:80`: keepalived's address format, for log lines. */
  readonly label: string;
  readonly bindto?: string;
  readonly bindPort?: number;
  /** connect_timeout, per connect or read operation, ms. */
  readonly timeoutMs: number;
}

export type ProbeFailure =
  /** RST, ICMP unreachable, connection closed early. */
  | 'refused'
  /** connect_timeout elapsed. */
  | 'timeout'
  /** The service answered, but not as required (status, digest, regex, banner, reply …). */
  | 'mismatch'
  /** Script exit status or anything else. */
  | 'error';

export type ProbeResult =
  | {
      readonly ok: true;
      /** A new weight for the real server (misc_dynamic, FILE_CHECK); absent: unchanged. */
      readonly weight?: number;
      /** keepalived's success line for this attempt, e.g. `TCP connection to [..]:tcp:80 success.` */
      readonly message: string;
    }
  | {
      readonly ok: false;
      readonly failure: ProbeFailure;
      /**
       * keepalived's per-attempt failure line (logged with log_all_failures), e.g.
       * `TCP connection to [10.0.0.2]:tcp:80 failed.`
       */
      readonly message: string;
    };

/** One attempt. Must resolve (never reject) by the time `signal` aborts or sooner. */
export type Probe = (target: ProbeTarget, signal: AbortSignal) => Promise<ProbeResult>;

/**
 * The name in keepalived's "<NAME> on service X failed after N retries." lines:
 * TCP_CHECK, HTTP_CHECK, SSL_CHECK, SMTP_CHECK, DNS_CHECK, UDP_CHECK, PING_CHECK, MISC_CHECK,
 * FILE_CHECK.
 */
export function checkerLabel(type: string): string {
  if (type === 'HTTP_GET') return 'HTTP_CHECK';
  if (type === 'SSL_GET') return 'SSL_CHECK';
  return type;
}
