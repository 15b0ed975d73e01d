// A tiny HTTP server per LAN host that answers every request with the host's name, so a client
// hitting a VIP can tell which director holds it. Plain Node (no nginx config to write), bound
// to 0.0.0.0 so it answers on the VIP as soon as VRRP adds it; `Connection: close` so every
// probe request is a new TCP connection that follows the VIP's current MAC.

import type { Lan } from './lan.js';
import type { Child } from './processes.js';

const SERVER = `
const [name, port] = process.argv.slice(1);
require('node:http')
  .createServer((req, res) => { res.setHeader('connection', 'close'); res.end(name); })
  .listen(Number(port), '0.0.0.0', () => console.log('ready'));
`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts the server in the host's namespace; resolves once it listens. Stop with stopChild. */
export async function startHttpEcho(
  lan: Lan,
  host: string,
  port = 8080,
  timeoutMs = 5000,
): Promise<Child> {
  const child = lan.exec(host, [process.execPath, '-e', SERVER, host, String(port)]);
  const deadline = Date.now() + timeoutMs;
  while (!child.output().includes('ready')) {
    if (child.hasExited() || Date.now() > deadline) {
      child.proc.kill('SIGKILL');
      throw new Error(`http echo on ${host} did not start:\n${child.output()}`);
    }
    await sleep(20);
  }
  return child;
}
