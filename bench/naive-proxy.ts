// The naive Node pipe proxy the proxy bench compares with: what a 20-line stream.pipe() gets
// out of the runtime, so the bench separates Node's own cost from the cost of our features.
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
const server = createServer((client) => {
  const rs = servers[next++ % servers.length]!;
  const upstream = connect(rs);
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
