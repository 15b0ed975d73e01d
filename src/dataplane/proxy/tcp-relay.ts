// One proxied TCP connection: the accepted client socket, the upstream socket to the real server
// the table chose, and the table entry they drive. Socket events become the segments the kernel's
// state machine would have seen (ipvs.md §3.2): the accept is the client's SYN, the upstream
// connect the server's SYN-ACK plus the client's ACK (→ ESTABLISHED), every chunk read an ACK'd
// segment counted in bytes, an `end` a FIN, an error a RST. Bytes are exact payload bytes;
// packets are chunks read (an approximation: a chunk may hold many segments).
//
// Failure semantics (LVS has no retry, and neither do we): an upstream that refuses or does not
// connect within the timeout costs the client its connection at once, with a RST, and is counted.
// Backpressure: a side whose peer's write buffer is full is paused until `drain`. Half-close: a
// FIN from one side is passed on with end() and the other direction keeps flowing.

import { connect, type Socket } from 'node:net';
import { TCP_FLAG, type ForwardTarget, type IpvsTable } from '../../ipvs/index.js';
import type { ProxyCounters, DestFailures } from './counters.js';

const { SYN, ACK, FIN, RST } = TCP_FLAG;

export interface RelayContext {
  readonly table: IpvsTable;
  readonly counters: ProxyCounters;
  readonly failures: DestFailures;
  /** Live relays by table connection id. */
  readonly relays: Map<number, Relay>;
  /** Relays whose upstream is still connecting, swept by sweepConnecting (no timer each). */
  readonly connecting: Set<Relay>;
  readonly connectTimeoutMs: number;
}

export interface Relay {
  /** The table entry; -1 once the table released it. */
  conn: number;
  readonly client: Socket;
  readonly server: Socket;
  connected: boolean;
  /** performance.now() by which the upstream must have connected. */
  readonly deadline: number;
  /** Give up connecting: count the timeout and reset the client. */
  readonly timeout: () => void;
}

function fail(
  cx: RelayContext,
  target: ForwardTarget,
  kind: 'refused' | 'timeout' | 'error',
): void {
  const key = `${target.address}:${target.port}`;
  let f = cx.failures.get(key);
  if (f === undefined) cx.failures.set(key, (f = { refused: 0, timeout: 0, error: 0 }));
  f[kind]++;
  if (kind === 'refused') cx.counters.connectRefused++;
  else if (kind === 'timeout') cx.counters.connectTimeout++;
  else cx.counters.connectError++;
}

/** Connect to `target` and relay `client` through it; `header` goes first (PROXY protocol). */
export function startRelay(
  cx: RelayContext,
  client: Socket,
  conn: number,
  target: ForwardTarget,
  header: Buffer | undefined,
): Relay {
  const server = connect({
    host: target.address,
    port: target.port,
    family: target.family === 'inet6' ? 6 : 4,
    allowHalfOpen: true,
    noDelay: true,
  });
  const packet = (dir: 'in' | 'out', flags: number, bytes: number): void => {
    if (relay.conn >= 0) cx.table.packet(relay.conn, dir, flags, bytes);
  };
  const relay: Relay = {
    conn,
    client,
    server,
    connected: false,
    deadline: performance.now() + cx.connectTimeoutMs,
    timeout: () => {
      fail(cx, target, 'timeout');
      packet('out', RST, 0);
      server.destroy();
      client.resetAndDestroy();
    },
  };
  cx.relays.set(conn, relay);
  cx.connecting.add(relay);
  let open = 2;
  const closed = (): void => {
    if (--open > 0) return;
    if (relay.conn >= 0 && cx.relays.get(relay.conn) === relay) cx.relays.delete(relay.conn);
  };

  server.once('connect', () => {
    cx.connecting.delete(relay);
    relay.connected = true;
    packet('out', SYN | ACK, 0);
    packet('in', ACK, 0);
    if (header !== undefined) server.write(header);
    pipe(client, server, 'in');
    pipe(server, client, 'out');
  });
  server.on('error', (err: NodeJS.ErrnoException) => {
    if (!relay.connected) {
      cx.connecting.delete(relay);
      fail(cx, target, err.code === 'ECONNREFUSED' ? 'refused' : 'error');
      packet('out', RST, 0);
      client.resetAndDestroy();
      return;
    }
    cx.counters.resets++;
    packet('out', RST, 0);
    client.resetAndDestroy();
  });
  client.on('error', () => {
    cx.connecting.delete(relay);
    if (relay.connected) cx.counters.resets++;
    packet('in', RST, 0);
    server.resetAndDestroy();
  });
  server.once('close', () => {
    if (!client.destroyed && !client.writableEnded) client.destroy();
    closed();
  });
  client.once('close', () => {
    cx.connecting.delete(relay);
    if (!server.destroyed && !server.writableEnded) server.destroy();
    closed();
  });

  function pipe(src: Socket, dst: Socket, dir: 'in' | 'out'): void {
    src.on('data', (chunk: Buffer) => {
      packet(dir, ACK, chunk.length);
      if (!dst.write(chunk)) src.pause();
    });
    dst.on('drain', () => src.resume());
    const ended = (): void => {
      packet(dir, FIN | ACK, 0);
      // Both sides have sent FIN and everything is written: close() alone sends our FIN, so skip
      // the shutdown(2) that end() would make (one syscall less per connection, as HAProxy does).
      if (dst.readableEnded && dst.writableLength === 0) dst.destroy();
      else dst.end();
    };
    // A client that sent FIN before the upstream connected has already emitted 'end'.
    if (src.readableEnded) ended();
    else src.once('end', ended);
  }
  return relay;
}

/** The table released the entry (idle timeout, expire_nodest_conn): close both sides at once. */
export function releaseRelay(cx: RelayContext, conn: number): void {
  const relay = cx.relays.get(conn);
  if (relay === undefined) return;
  cx.relays.delete(conn);
  relay.conn = -1;
  cx.counters.released++;
  relay.server.resetAndDestroy();
  relay.client.resetAndDestroy();
}

/** Time out upstream connects past their deadline (called a few times a second). */
export function sweepConnecting(cx: RelayContext, now: number): void {
  for (const relay of cx.connecting) {
    if (relay.deadline > now) continue;
    cx.connecting.delete(relay);
    relay.timeout();
  }
}
