// One real server of `tandem demo --netns`, as its own process inside the real server's network
// namespace (`ip netns exec tdemo-rsN node demo-page-server.js N ADDRESS PORT`): the same page as
// the loopback demo's in-process servers. It prints `listening` once bound and exits on SIGTERM.

import { createServer } from 'node:http';
import { demoPage } from './demo-servers.js';

const [n = '0', address = '', port = '80'] = process.argv.slice(2);
const rs = { n: Number(n), address, port: Number(port) };
const server = createServer((req, res) => {
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end(demoPage(rs, req.socket.remoteAddress));
});
server.on('error', (err) => {
  process.stderr.write(`real server ${n}: ${err.message}\n`);
  process.exit(1);
});
server.listen({ host: '0.0.0.0', port: Number(port) }, () => process.stdout.write('listening\n'));
const stop = (): void => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
