// A UDP virtual service: one socket bound to VIP:port receives client datagrams; the table decides
// per datagram (a new flow is scheduled, an existing one keeps its real server, persistence holds
// across flows). Each flow — a client address:port — gets its own upstream socket so replies can
// be told apart, and replies leave from the VIP socket, so the client sees the address it asked.
// A flow lives exactly as long as its table entry: the udp timeout (300 s by default, --set)
// re-armed by traffic in either direction; when the table releases the entry the upstream socket
// closes. One-packet scheduling (ops) gives every datagram its own socket, closed after a reply.

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { ForwardTarget, IpvsTable } from '../../ipvs/index.js';
import type { Logger } from '../../lib/log.js';
import { bindListener, closeFd } from './bind.js';
import { ListenRetry } from './listen-retry.js';
import type { ProxyCounters } from './counters.js';
import type { ListenerOptions, ServiceEndpoint } from './tcp-listener.js';

export interface UdpFlow {
  conn: number;
  readonly key: string;
  readonly socket: UdpSocket;
  readonly owner: UdpListener;
}

export interface UdpContext {
  readonly table: IpvsTable;
  readonly counters: ProxyCounters;
  /** Live flows by table connection id. */
  readonly flows: Map<number, UdpFlow>;
}

export class UdpListener {
  readonly #cx: UdpContext;
  readonly #ep: ServiceEndpoint;
  readonly #opts: ListenerOptions;
  readonly #log: Logger;
  readonly #byClient = new Map<string, UdpFlow>();
  #socket: UdpSocket | undefined;
  readonly #retry: ListenRetry;

  constructor(cx: UdpContext, ep: ServiceEndpoint, opts: ListenerOptions, log: Logger) {
    this.#cx = cx;
    this.#ep = ep;
    this.#opts = opts;
    this.#log = log;
    this.#retry = new ListenRetry(log, cx.counters, opts.retryMs, () => this.start());
  }

  get listening(): boolean {
    return this.#socket !== undefined;
  }

  update(): void {
    // Nothing per service to update for UDP today (no PROXY protocol over datagrams).
  }

  start(): void {
    if (this.#retry.closed || this.#socket !== undefined) return;
    const ep = this.#ep;
    const bound = bindListener({ kind: 'udp', ...ep, ...this.#opts });
    if (bound.kind === 'error') {
      this.#retry.failed(`${bound.syscall} ${bound.code}`);
      return;
    }
    const socket = createSocket({ type: ep.family === 'inet6' ? 'udp6' : 'udp4' });
    this.#socket = socket;
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.#socket = undefined;
      socket.close();
      if (bound.kind === 'fd') closeFd(bound.fd);
      this.#retry.failed(`${err.syscall ?? 'bind'} ${err.code ?? err.message}`);
    });
    socket.on('listening', () => {
      this.#retry.succeeded();
      this.#log.info({ address: ep.address, port: ep.port }, 'listening');
    });
    socket.on('message', (msg, rinfo) => this.#datagram(msg, rinfo.address, rinfo.port));
    if (bound.kind === 'fd') socket.bind({ fd: bound.fd });
    else socket.bind({ address: ep.address, port: ep.port });
  }

  #datagram(msg: Buffer, clientAddress: string, clientPort: number): void {
    const cx = this.#cx;
    const ep = this.#ep;
    const v = cx.table.inbound({
      protocol: 'UDP',
      family: ep.family,
      clientAddress,
      clientPort,
      virtualAddress: ep.address,
      virtualPort: ep.port,
      bytes: msg.length,
    });
    if (v.kind !== 'forward') {
      cx.counters.udpDropped++;
      return;
    }
    const key = `${clientAddress}|${clientPort}`;
    let flow = this.#byClient.get(key);
    if (flow !== undefined && (v.created || flow.conn !== v.conn)) {
      this.closeFlow(flow);
      flow = undefined;
    }
    flow ??= this.#newFlow(v.conn, key, v.target, clientAddress, clientPort);
    flow.socket.send(msg, v.target.port, v.target.address, (err) => {
      if (err !== null) cx.counters.udpSendErrors++;
    });
  }

  #newFlow(
    conn: number,
    key: string,
    target: ForwardTarget,
    clientAddress: string,
    clientPort: number,
  ): UdpFlow {
    const cx = this.#cx;
    const socket = createSocket({ type: target.family === 'inet6' ? 'udp6' : 'udp4' });
    const flow: UdpFlow = { conn, key, socket, owner: this };
    cx.counters.udpFlows++;
    socket.on('error', () => {
      cx.counters.udpSendErrors++;
    });
    socket.on('message', (reply, rinfo) => {
      if (rinfo.address !== target.address || rinfo.port !== target.port) return;
      if (flow.conn >= 0) cx.table.packet(flow.conn, 'out', 0, reply.length);
      this.#socket?.send(reply, clientPort, clientAddress, (err) => {
        if (err !== null) cx.counters.udpSendErrors++;
      });
      if (conn < 0) this.closeFlow(flow);
    });
    if (conn >= 0) {
      this.#byClient.set(key, flow);
      cx.flows.set(conn, flow);
    } else {
      // One-packet scheduling: no table entry; wait one udp timeout for the reply at most.
      setTimeout(() => this.closeFlow(flow), cx.table.timeouts().udp * 1000).unref();
    }
    return flow;
  }

  closeFlow(flow: UdpFlow): void {
    if (this.#byClient.get(flow.key) === flow) this.#byClient.delete(flow.key);
    if (flow.conn >= 0 && this.#cx.flows.get(flow.conn) === flow) this.#cx.flows.delete(flow.conn);
    flow.conn = -1;
    try {
      flow.socket.close();
    } catch {
      // already closed
    }
  }

  /** Stop receiving; flows end with the socket since replies leave through it. */
  close(): Promise<void> {
    this.#retry.close();
    for (const flow of [...this.#byClient.values()]) this.closeFlow(flow);
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket === undefined) return Promise.resolve();
    return new Promise((resolve) => socket.close(() => resolve()));
  }
}
