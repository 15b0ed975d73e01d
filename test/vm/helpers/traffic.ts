// Guest-side traffic for scheduling tests: small Node TCP servers as real servers on loopback
// addresses, and clients that connect from a chosen loopback source address to a virtual
// service. IPVS schedules locally originated connections in its LOCAL_OUT hook, and with
// masquerading to a local real server the connection completes, so the server that accepts
// a client's address:port is the destination the kernel chose. Everything stays on 127/8
// and ::1 inside the VM, which has no network device at all.

import { connect, createServer, type Server, type Socket } from 'node:net';

export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

export interface RealServers {
  /** Which server (by its index in the list given) accepted `client`:`port`, or undefined. */
  acceptedBy(client: string, port: number, timeoutMs: number): Promise<number | undefined>;
  /** Resolves true once that connection's FIN has reached its server (false on timeout). */
  ended(client: string, port: number, timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export async function startRealServers(endpoints: readonly Endpoint[]): Promise<RealServers> {
  const seen = new Map<string, number>();
  const waiters = new Map<string, (server: number) => void>();
  const ends = new Map<string, Promise<void>>();
  const sockets = new Set<Socket>();
  const servers: Server[] = [];
  for (const [index, { address, port }] of endpoints.entries()) {
    // Half-open: a client's FIN leaves the server side open, so the kernel's entry stays in
    // CLOSE_WAIT (inactive) without further packets that would make the sequence vary.
    const server = createServer({ allowHalfOpen: true }, (sock) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
      sock.on('error', () => undefined);
      const key = `${sock.remoteAddress}:${sock.remotePort}`;
      ends.set(key, new Promise((resolve) => sock.once('end', resolve)));
      sock.resume();
      seen.set(key, index);
      waiters.get(key)?.(index);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: address, port, backlog: 512 }, resolve);
    });
    servers.push(server);
  }
  return {
    acceptedBy(client, cport, timeoutMs) {
      const key = `${client}:${cport}`;
      const known = seen.get(key);
      if (known !== undefined) return Promise.resolve(known);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(key);
          resolve(undefined);
        }, timeoutMs);
        waiters.set(key, (server) => {
          clearTimeout(timer);
          waiters.delete(key);
          resolve(server);
        });
      });
    },
    async ended(client, cport, timeoutMs) {
      const end = ends.get(`${client}:${cport}`);
      if (end === undefined) return false;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const r = await Promise.race([end.then(() => true), timeout]);
      clearTimeout(timer);
      return r;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    },
  };
}

export type ClientResult =
  { readonly ok: true; readonly socket: Socket } | { readonly ok: false; readonly error: string };

/**
 * Connect from `local`:`localPort` to `vip`:`port` (the source port is chosen by the caller,
 * so a refused connection's port is known too); a refusal or a timeout is a result.
 */
export function openClient(
  local: string,
  localPort: number,
  vip: string,
  port: number,
  timeoutMs: number,
): Promise<ClientResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: vip, port, localAddress: local, localPort });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, error: 'timeout' });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve({ ok: true, socket });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: false, error: err.code ?? err.message });
    });
  });
}
