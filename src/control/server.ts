// The daemon's end of the control socket (docs/control.md): a Unix stream socket, mode 0600, on
// which local clients (tandemadm, `tandem status`) send framed JSON requests. Requests on one
// connection are answered in order, one at a time. Bad input gets an error reply and, when the
// stream can no longer be trusted (a bad frame), the connection is closed; the daemon carries on.
// Like keepalived's pidfile check, start() refuses to take over a socket a live daemon answers on.

import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { systemClock, type Clock } from '../lib/clock.js';
import { AppError, ERROR_CODES, errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import { VERSION } from '../lib/version.js';
import {
  encodeMessage,
  errorResponse,
  PROTOCOL_VERSION,
  type ControlParams,
  type ControlResponse,
} from './protocol.js';
import { Connection } from './connection.js';

export type ControlHandler = (params: ControlParams) => unknown;

export interface ControlServerOptions {
  readonly path: string;
  readonly handlers: Readonly<Record<string, ControlHandler>>;
  readonly log: Logger;
  readonly maxConnections?: number;
  readonly idleTimeoutMs?: number;
  readonly clock?: Clock;
}

export class ControlServer {
  readonly #path: string;
  readonly #handlers = new Map<string, ControlHandler>();
  readonly #log: Logger;
  readonly #maxConnections: number;
  readonly #idleTimeoutMs: number;
  readonly #clock: Clock;
  readonly #connections = new Set<Socket>();
  #server: Server | undefined;
  #inode: number | undefined;

  constructor(options: ControlServerOptions) {
    this.#path = options.path;
    this.#log = options.log;
    this.#maxConnections = options.maxConnections ?? 64;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.#clock = options.clock ?? systemClock;
    // A Map, not the object: "constructor" or "__proto__" must not resolve to a handler.
    for (const [name, fn] of Object.entries(options.handlers)) this.#handlers.set(name, fn);
    if (!this.#handlers.has('hello')) this.#handlers.set('hello', () => this.#hello());
  }

  get path(): string {
    return this.#path;
  }

  /** Currently open client connections. */
  get connections(): number {
    return this.#connections.size;
  }

  async start(): Promise<void> {
    if (this.#server !== undefined) return;
    // The daemon's own directory (/run/tandem) is private; an existing one is left as it is.
    mkdirSync(dirname(this.#path), { recursive: true, mode: 0o700 });
    await this.#removeStale();
    const server = createServer({ allowHalfOpen: true }, (socket) => this.#accept(socket));
    await listen(server, this.#path);
    // listen() already created it under umask 0177; chmod covers worker threads, where the umask
    // cannot be changed.
    chmodSync(this.#path, 0o600);
    this.#inode = lstatSync(this.#path).ino;
    this.#server = server;
    this.#log.info({ path: this.#path }, 'control socket listening');
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.#connections) socket.destroy();
    await closed;
    // Unlink only our own socket: a successor may already have replaced a stale path.
    try {
      if (lstatSync(this.#path).ino === this.#inode) unlinkSync(this.#path);
    } catch {
      // Already gone.
    }
    this.#log.info({ path: this.#path }, 'control socket closed');
  }

  /** A socket file nobody answers on is a leftover from a crash; a live one is another daemon. */
  async #removeStale(): Promise<void> {
    let isSocket: boolean;
    try {
      isSocket = lstatSync(this.#path).isSocket();
    } catch {
      return;
    }
    if (!isSocket)
      throw new AppError('ERR_CONTROL_IN_USE', `${this.#path} exists and is not a socket`);
    if (await answers(this.#path))
      throw new AppError('ERR_CONTROL_IN_USE', `another tandem is running on ${this.#path}`);
    this.#log.info({ path: this.#path }, 'removing stale control socket');
    unlinkSync(this.#path);
  }

  #hello(): unknown {
    return {
      protocol: PROTOCOL_VERSION,
      version: VERSION,
      methods: [...this.#handlers.keys()].sort(),
    };
  }

  #accept(socket: Socket): void {
    if (this.#connections.size >= this.#maxConnections) {
      this.#log.warn({ max: this.#maxConnections }, 'control connection refused: too many');
      socket.on('error', () => undefined);
      socket.end(
        encodeMessage(errorResponse(null, 'ERR_CONTROL_BUSY', ERROR_CODES.ERR_CONTROL_BUSY)),
        // Nobody reads this socket, so its peer's EOF would never be seen: drop it once sent.
        () => socket.destroy(),
      );
      return;
    }
    this.#connections.add(socket);
    socket.once('close', () => this.#connections.delete(socket));
    new Connection(socket, {
      clock: this.#clock,
      idleTimeoutMs: this.#idleTimeoutMs,
      log: this.#log,
      dispatch: (id, method, params) => this.#dispatch(id, method, params),
    });
  }

  async #dispatch(id: number, method: string, params: ControlParams): Promise<ControlResponse> {
    const handler = this.#handlers.get(method);
    if (handler === undefined)
      return errorResponse(id, 'ERR_CONTROL_UNKNOWN_METHOD', `unknown method "${method}"`);
    try {
      const result = (await handler(params)) ?? null;
      return { v: PROTOCOL_VERSION, id, ok: true, result };
    } catch (err) {
      // A catalogued error (ERR_IPVS_NO_SERVICE…) keeps its code so clients can word it; anything
      // else is a bug in the handler, reported without taking the daemon down.
      if (err instanceof AppError) return errorResponse(id, err.code, err.message);
      this.#log.error({ method, err }, 'control method failed');
      return errorResponse(id, 'ERR_CONTROL_INTERNAL', errorMessage(err));
    }
  }
}

/** Resolves once the path is bound (the umask makes the socket 0600 from its first instant). */
async function listen(server: Server, path: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const old = isMainThread ? process.umask(0o177) : undefined;
    try {
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    } finally {
      if (old !== undefined) process.umask(old);
    }
  });
}

/** Whether something accepts a connection on the socket path (a live daemon). */
async function answers(path: string): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = createConnection(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    // Only a refusal proves nobody listens: EAGAIN (a full backlog) means a busy, live daemon.
    socket.once('error', (err: NodeJS.ErrnoException) =>
      resolve(err.code !== 'ECONNREFUSED' && err.code !== 'ENOENT'),
    );
  });
}
