// Opens COUNT idle TCP connections to HOST:PORT for the memory-per-connection figure. Sources
// are spread over 127.0.1.1-250 so no single source address runs out of ephemeral ports, and
// connects go in batches so the listener's accept queue never overflows into SYN retries.
// Prints `ready N failed M` once all attempts are settled, then holds the connections until
// SIGTERM or HOLD_MS (bounded); then closes them all and exits.
// Usage: node idle-client.js HOST PORT COUNT [HOLD_MS]

import { connect, type Socket } from 'node:net';

const [host = '127.0.0.1', portS = '80', countS = '10000', holdS = '120000'] =
  process.argv.slice(2);
const port = Number(portS);
const count = Number(countS);
const BATCH = 500;
const CONNECT_TIMEOUT_MS = 10_000;
const sockets: Socket[] = [];
let failed = 0;

function open(i: number): Promise<void> {
  return new Promise((resolve) => {
    const s = connect({ host, port, localAddress: `127.0.1.${1 + (i % 250)}` });
    const timer = setTimeout(() => {
      failed++;
      s.destroy();
      resolve();
    }, CONNECT_TIMEOUT_MS);
    s.once('connect', () => {
      clearTimeout(timer);
      sockets.push(s);
      resolve();
    });
    s.on('error', () => {
      clearTimeout(timer);
      failed++;
      resolve();
    });
  });
}

const finish = (code: number): void => {
  for (const s of sockets) s.destroy();
  process.exit(code);
};
process.on('SIGTERM', () => finish(0));
setTimeout(() => finish(0), Number(holdS));

for (let i = 0; i < count; i += BATCH) {
  await Promise.all(Array.from({ length: Math.min(BATCH, count - i) }, (_, j) => open(i + j)));
}
// A connection the peer already closed (a proxy that dropped it) does not count as held.
const closed = sockets.filter((s) => s.destroyed || s.readyState !== 'open').length;
console.log(`ready ${sockets.length - closed} failed ${failed + closed}`);
