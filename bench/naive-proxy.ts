// The naive Node pipe proxy the proxy bench compares with: what a 20-line stream.pipe() gets
// out of the runtime, so the bench separates Node's own cost from the cost of our features.
// TCP_NODELAY is on for both sockets, as HAProxy has it: with Nagle, the short tail of each
// 64 KiB chunk waits for a delayed ACK, which held 1 MiB responses to ~220 MiB/s here
// instead of ~1,400.
// Usage: node build/bench/naive-proxy.js LISTEN_ADDR:PORT RS_ADDR:PORT [RS_ADDR:PORT...]

import { connect, createServer } from 'node:net';

const hostPort = (s: string): { host: string; port: number } => {
  const i = s.lastIndexOf(':');
  return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
};
const [listen, ...servers] = process.argv.slice(2).map(hostPort);
if (listen === undefined || servers.length === 0) {
  console.error('usage: naive-proxy LISTEN_ADDR:PORT RS_ADDR:PORT [RS_ADDR:PORT...]');
  process.exit(2);
}

let next = 0;
const server = createServer({ noDelay: true }, (client) => {
  const rs = servers[next++ % servers.length]!;
  const upstream = connect({ ...rs, noDelay: true });
  client.pipe(upstream).pipe(client);
  // Either side failing tears down both; pipe() alone would leak the other socket.
  const destroy = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', destroy);
  upstream.on('error', destroy);
  client.on('close', destroy);
  upstream.on('close', destroy);
});
server.listen({ host: listen.host, port: listen.port, backlog: 65535 });
process.on('SIGTERM', () => process.exit(0));
