// What the proxy data plane counts beyond the table's IPVS statistics: the events a kernel data
// plane has no name for (a real server that refused or timed out, a client reset before the
// upstream connected, a datagram with nowhere to go). Per plane and per real server, plain
// numbers, read by status and metrics.

export interface ProxyCounters {
  /** TCP connections accepted on a VIP. */
  accepted: number;
  /** Accepted but no destination available (the kernel answers ICMP unreachable; we reset). */
  noDestination: number;
  /** Accepted but the table dropped the opening segment (a deleted destination). */
  dropped: number;
  /** The real server refused (RST) the upstream connection. */
  connectRefused: number;
  /** The real server did not answer within the connect timeout. */
  connectTimeout: number;
  /** Any other upstream connect error (unreachable, no route …). */
  connectError: number;
  /** Relays closed because the table released their entry (idle timeout, expire_nodest_conn). */
  released: number;
  /** Relays ended by a reset or error on either side after they were connected. */
  resets: number;
  /** UDP flows created (one upstream socket each). */
  udpFlows: number;
  /** Datagrams that found no destination or were dropped. */
  udpDropped: number;
  /** Sends that failed (either direction). */
  udpSendErrors: number;
  /** Listener bind/listen failures (each retry counts). */
  listenErrors: number;
}

export function newCounters(): ProxyCounters {
  return {
    accepted: 0,
    noDestination: 0,
    dropped: 0,
    connectRefused: 0,
    connectTimeout: 0,
    connectError: 0,
    released: 0,
    resets: 0,
    udpFlows: 0,
    udpDropped: 0,
    udpSendErrors: 0,
    listenErrors: 0,
  };
}

/** Upstream connect failures per real server, keyed `address:port`. */
export type DestFailures = Map<string, { refused: number; timeout: number; error: number }>;
