// The userspace proxy data plane: one listener per virtual service in the table (TCP and UDP on
// VIP:port), relays and UDP flows tied to table entries. The daemon calls sync() after every
// change to the table's service list (config load, reload, tandemadm); weights, schedulers and
// destinations need no sync because every new connection asks the table. Services a full proxy
// cannot serve — fwmark services, port 0 (all ports), SCTP — are reported once and skipped.
// Shutdown drains: listeners close at once (a new master or a restarted daemon takes the new
// connections), established relays get a bounded time to finish, the rest are cut.

import type { Socket } from 'node:net';
import type { ProxyProtocolVersion } from '../../config/model.js';
import type { IpvsTable, ServiceSnapshot } from '../../ipvs/index.js';
import { bracketed } from '../../lib/inet.js';
import type { Logger } from '../../lib/log.js';
import { newCounters, type DestFailures, type ProxyCounters } from './counters.js';
import type { DataPlane, DataPlaneStats } from '../plane.js';
import { releaseRelay, sweepConnecting, type Relay, type RelayContext } from './tcp-relay.js';

/** How often pending upstream connects are checked against their deadline. */
const SWEEP_MS = 250;
import { TcpListener, type ListenerOptions } from './tcp-listener.js';
import { UdpListener, type UdpFlow } from './udp-listener.js';

export interface ProxyPlaneOptions {
  readonly table: IpvsTable;
  readonly log: Logger;
  /** IP_FREEBIND on listeners (default true): bind VIPs before they are local. */
  readonly freebind?: boolean;
  /** SO_REUSEPORT on listeners, for several workers (default false). */
  readonly reusePort?: boolean;
  /** Upstream connect timeout (default 5000 ms). */
  readonly connectTimeoutMs?: number;
  /** Listener retry interval after a bind failure (default 1000 ms). */
  readonly retryMs?: number;
}

/** Per-service options from the configuration, by listener key (`tcp:10.0.0.1:80`). */
export interface ServiceOptions {
  readonly proxyProtocol?: ProxyProtocolVersion;
}

export interface CloseOptions {
  /** How long established relays may go on finishing (default 0: end them at once). */
  readonly drainMs?: number;
}

/** What close() did to the relays it found: ended on their own within the bound, or cut. */
export interface CloseResult {
  readonly drained: number;
  readonly cut: number;
}

export interface ProxyPlaneStats {
  readonly counters: Readonly<ProxyCounters>;
  readonly failures: ReadonlyMap<string, { refused: number; timeout: number; error: number }>;
  readonly relays: number;
  readonly udpFlows: number;
  readonly listeners: readonly { key: string; listening: boolean }[];
}

export function listenerKey(protocol: string, address: string, port: number): string {
  return `${protocol.toLowerCase()}:${bracketed(address)}:${port}`;
}

export class ProxyDataPlane implements DataPlane {
  readonly kind = 'proxy';
  readonly #cx: RelayContext & { readonly flows: Map<number, UdpFlow> };
  readonly #log: Logger;
  readonly #opts: Required<Omit<ProxyPlaneOptions, 'table' | 'log'>>;
  readonly #listeners = new Map<string, TcpListener | UdpListener>();
  readonly #skipped = new Set<string>();
  readonly #sweep: NodeJS.Timeout;
  #closed = false;

  constructor(options: ProxyPlaneOptions) {
    this.#opts = {
      freebind: options.freebind ?? true,
      reusePort: options.reusePort ?? false,
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      retryMs: options.retryMs ?? 1000,
    };
    this.#log = options.log;
    this.#cx = {
      table: options.table,
      counters: newCounters(),
      failures: new Map() as DestFailures,
      relays: new Map<number, Relay>(),
      connecting: new Set<Relay>(),
      flows: new Map<number, UdpFlow>(),
      connectTimeoutMs: this.#opts.connectTimeoutMs,
    };
    // One sweep for every pending upstream connect instead of a timer per connection.
    this.#sweep = setInterval(() => sweepConnecting(this.#cx, performance.now()), SWEEP_MS);
    this.#sweep.unref();
  }

  /** Open listeners for new services, close those of removed ones, update options. */
  sync(services: readonly ServiceSnapshot[], options: ReadonlyMap<string, ServiceOptions>): void {
    // A VRRP release or a reload arriving while we drain must not open listeners again.
    if (this.#closed) return;
    const wanted = new Set<string>();
    for (const svc of services) {
      const { protocol, address, port } = svc;
      if (protocol === undefined || address === undefined || port === 0 || protocol === 'SCTP') {
        const what =
          protocol === undefined
            ? `fwmark:${svc.fwmark}`
            : listenerKey(protocol, address ?? '', port);
        if (!this.#skipped.has(what)) {
          this.#skipped.add(what);
          this.#log.warn(
            { vs: what },
            'the proxy data plane cannot serve this service (fwmark, port 0 or SCTP need a kernel data plane); skipped',
          );
        }
        continue;
      }
      const key = listenerKey(protocol, address, port);
      wanted.add(key);
      const lo: ListenerOptions = {
        freebind: this.#opts.freebind,
        reusePort: this.#opts.reusePort,
        retryMs: this.#opts.retryMs,
        proxyProtocol: options.get(key)?.proxyProtocol,
      };
      const existing = this.#listeners.get(key);
      if (existing !== undefined) {
        existing.update(lo);
        continue;
      }
      const ep = { family: svc.family, address, port };
      const log = this.#log.child({ vs: key });
      const l =
        protocol === 'TCP'
          ? new TcpListener(this.#cx, ep, lo, log)
          : new UdpListener(this.#cx, ep, lo, log);
      this.#listeners.set(key, l);
      l.start();
    }
    for (const [key, l] of this.#listeners) {
      if (wanted.has(key)) continue;
      this.#listeners.delete(key);
      this.#log.info({ vs: key }, 'service removed; listener closed');
      void l.close();
    }
  }

  /** The table released entry `conn`: close what relays it. */
  release(conn: number): void {
    if (this.#cx.relays.has(conn)) releaseRelay(this.#cx, conn);
    const flow = this.#cx.flows.get(conn);
    if (flow !== undefined) flow.owner.closeFlow(flow);
  }

  stats(): DataPlaneStats {
    return { proxy: this.proxyStats() };
  }

  proxyStats(): ProxyPlaneStats {
    return {
      counters: { ...this.#cx.counters },
      failures: new Map(this.#cx.failures),
      relays: this.#cx.relays.size,
      udpFlows: this.#cx.flows.size,
      listeners: [...this.#listeners].map(([key, l]) => ({ key, listening: l.listening })),
    };
  }

  /**
   * Stop accepting at once and end UDP flows; let established relays finish for up to `drainMs`,
   * then cut what is left. The count of each is logged and returned.
   */
  async close(options: CloseOptions = {}): Promise<CloseResult> {
    if (this.#closed) return { drained: 0, cut: 0 };
    this.#closed = true;
    const all = [...this.#listeners.values()];
    this.#listeners.clear();
    // server.close() releases the listening socket now, so new connections are refused, but
    // calls back only once every connection it accepted is gone: awaited after the relays end.
    const closing = Promise.all(all.map((l) => l.close()));
    const relays = this.#cx.relays;
    const found = relays.size;
    const drainMs = options.drainMs ?? 0;
    // The sweep keeps running meanwhile: a relay still connecting upstream may time out.
    if (drainMs > 0 && found > 0) await drain([...relays.values()], drainMs);
    clearInterval(this.#sweep);
    const cut = relays.size;
    for (const r of [...relays.values()]) {
      r.server.destroy();
      r.client.destroy();
    }
    relays.clear();
    const result = { drained: found - cut, cut };
    this.#log.info({ ...result, drainMs }, 'data plane closed');
    await closing;
    return result;
  }
}

/** Resolves when every relay's two sockets have closed, or after `ms`, whichever is first. */
function drain(relays: readonly Relay[], ms: number): Promise<void> {
  const closed = (s: Socket): Promise<void> =>
    s.closed ? Promise.resolve() : new Promise((resolve) => s.once('close', () => resolve()));
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  const all = Promise.all(relays.flatMap((r) => [closed(r.client), closed(r.server)]));
  return Promise.race([all.then(() => undefined), bound]).finally(() => clearTimeout(timer));
}
