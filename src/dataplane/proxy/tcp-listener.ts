// A TCP virtual service's listener: accepts on VIP:port, asks the table for a destination as the
// kernel would on a SYN (scheduler, persistence, thresholds, quiescence all live there) and
// starts a relay. Services added, edited or re-weighted at run time need nothing here: every
// accept consults the table. Listening problems are retried every second and logged once per
// distinct error, so a VIP that appears later is picked up.

import { createServer, type Server, type Socket } from 'node:net';
import { TCP_FLAG } from '../../ipvs/index.js';
import type { Family } from '../../lib/inet.js';
import type { Logger } from '../../lib/log.js';
import { bindListener, closeFd } from './bind.js';
import { ListenRetry } from './listen-retry.js';
import { encodeProxyHeader } from '../proxy-protocol.js';
import { startRelay, type RelayContext } from './tcp-relay.js';
import type { ProxyProtocolVersion } from '../../config/model.js';

export interface ServiceEndpoint {
  readonly family: Family;
  readonly address: string;
  readonly port: number;
}

export interface ListenerOptions {
  readonly freebind: boolean;
  readonly reusePort: boolean;
  readonly retryMs: number;
  readonly proxyProtocol: ProxyProtocolVersion | undefined;
}

export class TcpListener {
  readonly #cx: RelayContext;
  readonly #ep: ServiceEndpoint;
  readonly #log: Logger;
  #opts: ListenerOptions;
  #server: Server | undefined;
  readonly #retry: ListenRetry;

  constructor(cx: RelayContext, ep: ServiceEndpoint, opts: ListenerOptions, log: Logger) {
    this.#cx = cx;
    this.#ep = ep;
    this.#opts = opts;
    this.#log = log;
    this.#retry = new ListenRetry(log, cx.counters, opts.retryMs, () => this.start());
  }

  get listening(): boolean {
    return this.#server?.listening === true;
  }

  /** Options that do not need a new socket (the PROXY protocol version). */
  update(opts: ListenerOptions): void {
    this.#opts = opts;
  }

  start(): void {
    if (this.#retry.closed || this.#server !== undefined) return;
    const ep = this.#ep;
    const bound = bindListener({ kind: 'tcp', ...ep, ...this.#opts });
    if (bound.kind === 'error') {
      this.#retry.failed(`${bound.syscall} ${bound.code}`);
      return;
    }
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (c) => this.#accept(c));
    this.#server = server;
    server.on('error', (err: NodeJS.ErrnoException) => {
      this.#server = undefined;
      server.close();
      if (bound.kind === 'fd') closeFd(bound.fd);
      this.#retry.failed(`${err.syscall ?? 'listen'} ${err.code ?? err.message}`);
    });
    server.on('listening', () => {
      this.#retry.succeeded();
      this.#log.info({ address: ep.address, port: ep.port }, 'listening');
    });
    if (bound.kind === 'fd') server.listen({ fd: bound.fd, backlog: 4096 });
    else server.listen({ host: ep.address, port: ep.port, backlog: 4096 });
  }

  #accept(client: Socket): void {
    const cx = this.#cx;
    cx.counters.accepted++;
    const ep = this.#ep;
    const clientAddress = client.remoteAddress;
    const clientPort = client.remotePort;
    if (clientAddress === undefined || clientPort === undefined) {
      client.destroy();
      return;
    }
    const v = cx.table.inbound({
      protocol: 'TCP',
      family: ep.family,
      clientAddress,
      clientPort,
      virtualAddress: ep.address,
      virtualPort: ep.port,
      tcpFlags: TCP_FLAG.SYN,
      bytes: 0,
    });
    if (v.kind !== 'forward' || v.conn < 0 || cx.relays.has(v.conn)) {
      if (v.kind === 'no-destination') cx.counters.noDestination++;
      else cx.counters.dropped++;
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    const version = this.#opts.proxyProtocol;
    const header =
      version === undefined
        ? undefined
        : encodeProxyHeader(version, {
            family: ep.family,
            protocol: 'TCP',
            sourceAddress: clientAddress,
            sourcePort: clientPort,
            destinationAddress: ep.address,
            destinationPort: ep.port,
          });
    startRelay(cx, client, v.conn, v.target, header);
  }

  /** Stop accepting; relays already running continue (the kernel keeps entries too). */
  close(): Promise<void> {
    this.#retry.close();
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}
