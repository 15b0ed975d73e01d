// Latency at a fixed, moderate request rate (not at saturation, where wrk's closed loop mostly
// measures queueing): C keep-alive connections each send `GET PATH` on a fixed schedule and time
// each response. Runs as its own pinned process so the bench's orchestration does not disturb it.
// Usage: node latency-client.js HOST PORT RATE_PER_S CONNECTIONS DURATION_MS PATH
// Prints one JSON line: { samples, errors, p50Us, p90Us, p99Us, p999Us, maxUs }.

import { connect, type Socket } from 'node:net';

const [
  host = '127.0.0.1',
  portS = '80',
  rateS = '2000',
  connsS = '4',
  durS = '5000',
  path = '/empty',
] = process.argv.slice(2);
const rate = Number(rateS);
const conns = Number(connsS);
const durationMs = Number(durS);
const warmupMs = Math.min(1000, durationMs / 10);
const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
const samples: number[] = [];
let errors = 0;

const now = (): number => Number(process.hrtime.bigint()) / 1000; // µs
const start = now();
const end = start + durationMs * 1000;

function runConnection(index: number): Promise<void> {
  return new Promise((resolve) => {
    const interval = (conns * 1e6) / rate; // µs between this connection's requests
    let due = start + (index * 1e6) / rate; // stagger connections evenly
    let sentAt = 0;
    let buf = '';
    const sock: Socket = connect({ host, port: Number(portS) });
    sock.setNoDelay(true);
    const send = (): void => {
      if (now() >= end) {
        sock.end();
        return;
      }
      sentAt = now();
      sock.write(request);
    };
    const schedule = (): void => {
      due += interval;
      const wait = (due - now()) / 1000;
      if (wait > 0) setTimeout(send, wait);
      else send(); // behind schedule: send at once
    };
    sock.on('connect', () => setTimeout(send, Math.max(0, (due - now()) / 1000)));
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const headEnd = buf.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      // /empty has Content-Length: 0, so the head is the whole response.
      if (!buf.startsWith('HTTP/1.1 200')) errors++;
      else if (sentAt - start >= warmupMs * 1000) samples.push(now() - sentAt);
      buf = buf.slice(headEnd + 4);
      schedule();
    });
    sock.on('error', () => {
      errors++;
      resolve();
    });
    sock.on('close', () => resolve());
  });
}

const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

// Hard stop: the run is bounded even if a server never answers.
const guard = setTimeout(() => {
  console.log(JSON.stringify({ samples: samples.length, errors: errors + 1, timedOut: true }));
  process.exit(1);
}, durationMs + 10_000);

await Promise.all(Array.from({ length: conns }, (_, i) => runConnection(i)));
clearTimeout(guard);
const sorted = samples.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    samples: sorted.length,
    errors,
    p50Us: pct(sorted, 50),
    p90Us: pct(sorted, 90),
    p99Us: pct(sorted, 99),
    p999Us: pct(sorted, 99.9),
    maxUs: sorted[sorted.length - 1] ?? NaN,
  }),
);
