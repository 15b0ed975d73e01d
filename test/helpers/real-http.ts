// Real servers for data-plane tests: plain Node HTTP servers on loopback addresses, each
// answering with its own address so a test can see where the load balancer sent a request,
// and UDP echo servers that prefix replies the same way. Ports are chosen by the kernel.

import { execFile } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export interface HttpRealServer {
  readonly address: string;
  readonly port: number;
  readonly name: string;
  readonly server: Server;
  /** Sockets currently open to this server. */
  readonly sockets: Set<Socket>;
  stop(): Promise<void>;
}

export async function startHttpServer(address: string, port = 0): Promise<HttpRealServer> {
  const sockets = new Set<Socket>();
  let name = '';
  const server = createServer((req, res) => {
    // /hold: the name goes out, the response never ends — a long-lived connection.
    if (req.url === '/hold') res.write(`${name}\n`);
    else res.end(`${name}\n`);
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
  const a = server.address();
  const bound = typeof a === 'object' && a !== null ? a.port : 0;
  name = `rs ${address}:${bound}`;
  return {
    address,
    port: bound,
    name,
    server,
    sockets,
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface UdpEcho {
  readonly address: string;
  readonly port: number;
  readonly socket: UdpSocket;
  stop(): Promise<void>;
}

export async function startUdpEcho(address: string): Promise<UdpEcho> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, address, () => resolve()));
  const port = socket.address().port;
  socket.on('message', (msg, r) =>
    socket.send(Buffer.concat([Buffer.from(`${address}:${port} `), msg]), r.port, r.address),
  );
  return {
    address,
    port,
    socket,
    stop: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

/** One real curl request; resolves to the body, or `ERR <exit code>` on failure. */
export async function curl(url: string, ...extra: string[]): Promise<string> {
  try {
    const r = await execFileP('curl', ['-s', '--max-time', '5', ...extra, url]);
    return r.stdout.trim();
  } catch (e) {
    return `ERR ${String((e as { code?: unknown }).code)}`;
  }
}

export function tally(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

export { freePort } from './processes.js';
