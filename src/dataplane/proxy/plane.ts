// The userspace proxy data plane: one listener per virtual service in the table (TCP and UDP on
// VIP:port), relays and UDP flows tied to table entries. The daemon calls sync() after every
// change to the table's service list (config load, reload, tandemadm); weights, schedulers and
// destinations need no sync because every new connection asks the table. Services a full proxy
// cannot serve — fwmark services, port 0 (all ports), SCTP — are reported once and skipped.

import type { ProxyProtocolVersion } from '../../config/model.js';
import type { IpvsTable, ServiceSnapshot } from '../../ipvs/index.js';
import { bracketed } from '../../lib/inet.js';
import type { Logger } from '../../lib/log.js';
import { newCounters, type DestFailures, type ProxyCounters } from './counters.js';
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

export class ProxyDataPlane {
  readonly #cx: RelayContext & { readonly flows: Map<number, UdpFlow> };
  readonly #log: Logger;
  readonly #opts: Required<Omit<ProxyPlaneOptions, 'table' | 'log'>>;
  readonly #listeners = new Map<string, TcpListener | UdpListener>();
  readonly #skipped = new Set<string>();
  readonly #sweep: NodeJS.Timeout;

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

  stats(): ProxyPlaneStats {
    return {
      counters: { ...this.#cx.counters },
      failures: new Map(this.#cx.failures),
      relays: this.#cx.relays.size,
      udpFlows: this.#cx.flows.size,
      listeners: [...this.#listeners].map(([key, l]) => ({ key, listening: l.listening })),
    };
  }

  /** Stop listening and end every relay and flow. */
  async close(): Promise<void> {
    clearInterval(this.#sweep);
    const all = [...this.#listeners.values()];
    this.#listeners.clear();
    // net.Server.close() waits for its connections, so end the relays before waiting.
    const closing = Promise.all(all.map((l) => l.close()));
    for (const r of [...this.#cx.relays.values()]) {
      r.server.destroy();
      r.client.destroy();
    }
    this.#cx.relays.clear();
    await closing;
  }
}
