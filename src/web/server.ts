// The admin HTTP listener: `/metrics` (Prometheus), `/status.json` and the status page `/`.
// Read-only by design (issue 7: no write operations over HTTP): every method but GET is 405 and
// nothing here changes the daemon. It binds 127.0.0.1 unless told otherwise, because the status
// names every address and real server; exposing it is an operator's choice (a reverse proxy).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../lib/log.js';
import { StatusMetrics } from './metrics.js';
import { statusPage } from './page.js';
import type { StatusSource } from './status.js';

export interface AdminServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 picks a free port (tests); see address(). */
  readonly port: number;
  readonly status: StatusSource;
  readonly log: Logger;
  /** Registers further metrics in the /metrics registry. */
  readonly extraMetrics?: (registry: Registry) => void;
  /** The page's refresh interval; default 2000 ms. */
  readonly refreshMs?: number;
}

/** The page and JSON are small; anything else asked of us is refused before it costs much. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

export class AdminServer {
  readonly #o: AdminServerOptions;
  readonly #log: Logger;
  readonly #metrics: StatusMetrics;
  readonly #page: string;
  readonly #server: Server;

  constructor(options: AdminServerOptions) {
    this.#o = options;
    this.#log = options.log.child({ subsys: 'web' });
    this.#metrics = new StatusMetrics({
      status: options.status,
      ...(options.extraMetrics === undefined ? {} : { extraMetrics: options.extraMetrics }),
    });
    this.#page = statusPage({ refreshMs: options.refreshMs ?? 2000 });
    this.#server = createServer(
      { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
      (req, res) => void this.#handle(req, res),
    );
  }

  /** Listens; rejects when the address cannot be bound (in use, not local). */
  start(): Promise<void> {
    const host = this.#o.host ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.#server.once('error', onError);
      this.#server.listen(this.#o.port, host, () => {
        this.#server.off('error', onError);
        this.#server.on('error', (err) => this.#log.error({ err }, 'admin listener error'));
        const a = this.address();
        this.#log.info({ host: a.address, port: a.port }, 'admin listener started');
        resolve();
      });
    });
  }

  /** Where it listens (after start()). */
  address(): { address: string; port: number } {
    const a = this.#server.address() as AddressInfo | null;
    if (a === null) throw new Error('admin listener is not listening');
    return { address: a.address, port: a.port };
  }

  /** Stops listening and drops open connections (keep-alive scrapers included). */
  async close(): Promise<void> {
    this.#metrics.close();
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The path as sent, without the query; not URL-parsed, so no request line can make this throw.
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const route = ROUTES.get(path);
    if (route === undefined) {
      send(res, 404, TEXT, 'not found\n');
    } else if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      send(res, 405, TEXT, 'method not allowed\n');
    } else {
      try {
        const [type, body] = await this.#body(route);
        if (route === 'page') res.setHeader('Content-Security-Policy', PAGE_CSP);
        send(res, 200, type, body);
      } catch (err) {
        // The status comes from other subsystems; one failing read is reported, not fatal.
        this.#log.warn({ err, path }, 'admin request failed');
        send(res, 503, TEXT, 'status unavailable\n');
      }
    }
  }

  /** Content type and body of a route. */
  async #body(route: Route): Promise<[string, string]> {
    switch (route) {
      case 'page':
        return ['text/html; charset=utf-8', this.#page];
      case 'metrics':
        return [this.#metrics.contentType, await this.#metrics.scrape()];
      case 'status':
        return ['application/json; charset=utf-8', `${JSON.stringify(await this.#o.status())}\n`];
      default:
        return route satisfies never;
    }
  }
}

type Route = 'page' | 'metrics' | 'status';
const TEXT = 'text/plain; charset=utf-8';

const ROUTES: ReadonlyMap<string, Route> = new Map([
  ['/', 'page'],
  ['/metrics', 'metrics'],
  ['/status.json', 'status'],
] as const);

/** The page loads nothing from anywhere; its inline script talks only to this listener. */
const PAGE_CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; " +
  "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'";

function send(res: ServerResponse, code: number, type: string, body: string): void {
  res.writeHead(code, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(body);
}
