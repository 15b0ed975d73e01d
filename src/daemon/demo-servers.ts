// The demo's real servers: small Node HTTP servers inside the demo process, each with its own
// page so a curl loop shows where every request went. Stopping one closes its listener and every
// connection it holds, which is what a crashed web server looks like to a health checker.

import { createServer, type Server } from 'node:http';
import type { DemoRealServer } from './demo-plan.js';

export function demoPage(rs: DemoRealServer): string {
  return `Hello from real server ${rs.n} (${rs.address}:${rs.port})\n`;
}

export class DemoRealServers {
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
    const page = demoPage(rs);
    const server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end(page);
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
