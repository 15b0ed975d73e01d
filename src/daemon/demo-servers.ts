// The demo's real servers: small Node HTTP servers, each with its own page so a curl loop shows
// where every request went — inside the demo process on loopback, or one process per real
// server's namespace in the netns form (demo-page-server.ts). Stopping one closes its listener and
// every connection it holds, which is what a crashed web server looks like to a health checker.

import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { spawnTied } from './demo-director.js';
import { inNamespace } from './demo-netns.js';
import type { DemoRealServer } from './demo-plan.js';

/** What the demo does with its real servers, whichever form they take. */
export interface RealServerPool {
  spec(n: number): DemoRealServer | undefined;
  running(n: number): boolean;
  /** Starts real server n; rejects with the reason it could not listen. */
  start(n: number): Promise<void>;
  stop(n: number): Promise<void>;
  stopAll(): Promise<void>;
}

/**
 * A real server's page. It names the address the request came from: the client's with LVS-DR
 * (the netns form's nftables plane), the director's own with the proxy.
 */
export function demoPage(
  rs: Pick<DemoRealServer, 'n' | 'address' | 'port'>,
  from: string | undefined,
): string {
  const client = (from ?? '?').replace(/^::ffff:/, '');
  return `Hello from real server ${rs.n} (${rs.address}:${rs.port}); request from ${client}\n`;
}

export class DemoRealServers implements RealServerPool {
  readonly #servers = new Map<number, Server>();
  readonly #specs: readonly DemoRealServer[];

  constructor(specs: readonly DemoRealServer[]) {
    this.#specs = specs;
  }

  spec(n: number): DemoRealServer | undefined {
    return this.#specs.find((s) => s.n === n);
  }

  running(n: number): boolean {
    return this.#servers.has(n);
  }

  /** Starts real server n; rejects with the listen error (address in use …). */
  async start(n: number): Promise<void> {
    const rs = this.spec(n);
    if (rs === undefined) throw new Error(`there is no real server ${n}`);
    if (this.#servers.has(n)) return;
    const server = createServer((req, res) => {
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end(demoPage(rs, req.socket.remoteAddress));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: rs.address, port: rs.port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#servers.set(n, server);
  }

  async startAll(): Promise<void> {
    for (const rs of this.#specs) await this.start(rs.n);
  }

  /** Stops real server n at once: listener closed, open connections cut. */
  async stop(n: number): Promise<void> {
    const server = this.#servers.get(n);
    if (server === undefined) return;
    this.#servers.delete(n);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#servers.keys()].map((n) => this.stop(n)));
  }
}

const PAGE_SERVER = fileURLToPath(new URL('./demo-page-server.js', import.meta.url));

/** The netns form: one page-server process per real server, in its namespace. */
export class NetnsRealServers implements RealServerPool {
  readonly #specs: readonly DemoRealServer[];
  readonly #procs = new Map<number, { child: ChildProcess; exited: Promise<void> }>();

  constructor(specs: readonly DemoRealServer[]) {
    this.#specs = specs;
  }

  spec(n: number): DemoRealServer | undefined {
    return this.#specs.find((s) => s.n === n);
  }

  running(n: number): boolean {
    return this.#procs.has(n);
  }

  async start(n: number): Promise<void> {
    const rs = this.spec(n);
    if (rs === undefined) throw new Error(`there is no real server ${n}`);
    if (this.#procs.has(n)) return;
    const argv = [process.execPath, PAGE_SERVER, String(n), rs.address, String(rs.port)];
    const child = spawnTied(inNamespace(rs.ns, argv));
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const listening = new Promise<boolean>((resolve) => {
      createInterface({ input: child.stdout }).once('line', () => resolve(true));
      void exited.then(() => resolve(false));
    });
    if (!(await listening)) throw new Error(err.trim() || 'the real server exited');
    this.#procs.set(n, { child, exited });
    void exited.then(() => {
      if (this.#procs.get(n)?.child === child) this.#procs.delete(n);
    });
  }

  async stop(n: number): Promise<void> {
    const p = this.#procs.get(n);
    if (p === undefined) return;
    this.#procs.delete(n);
    p.child.kill('SIGTERM');
    await p.exited;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#procs.keys()].map((n) => this.stop(n)));
  }
}
