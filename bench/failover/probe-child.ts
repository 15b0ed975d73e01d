// The probe's client process, run inside the client host's namespace (Node cannot enter a
// namespace itself): one HTTP/1.0 request to target:port every --interval ms, each on a new
// connection with a short connect timeout, so a VIP that points nowhere shows up as a run of
// failures rather than one long hang. Prints one JSON line per request; stops after --max-ms
// or on SIGTERM/SIGINT.
// Usage: node probe-child.js --target IP --port N [--interval 10] [--connect-timeout 50]
//        [--request-timeout 250] [--max-ms 30000]

import { connect } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    target: { type: 'string' },
    port: { type: 'string', default: '8080' },
    interval: { type: 'string', default: '10' },
    'connect-timeout': { type: 'string', default: '50' },
    'request-timeout': { type: 'string', default: '250' },
    'max-ms': { type: 'string', default: '30000' },
  },
  strict: true,
});
const target = values.target;
if (target === undefined) throw new Error('--target is required');
const port = Number(values.port);
const intervalMs = Number(values.interval);
const connectTimeoutMs = Number(values['connect-timeout']);
const requestTimeoutMs = Number(values['request-timeout']);
const maxMs = Number(values['max-ms']);

const now = (): number => performance.timeOrigin + performance.now();

function request(): void {
  const t = now();
  let done = false;
  let body = '';
  const finish = (ok: boolean, extra: Record<string, string>): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    sock.destroy();
    process.stdout.write(`${JSON.stringify({ t, ok, ms: now() - t, ...extra })}\n`);
  };
  const sock = connect({ host: target, port });
  let timer = setTimeout(() => finish(false, { err: 'connect-timeout' }), connectTimeoutMs);
  sock.once('connect', () => {
    clearTimeout(timer); // from here the (longer) request timeout applies
    timer = setTimeout(() => finish(false, { err: 'request-timeout' }), requestTimeoutMs);
    sock.write(`GET / HTTP/1.0\r\nHost: ${target}\r\n\r\n`);
  });
  sock.on('data', (c: Buffer) => (body += c.toString('latin1')));
  sock.once('end', () => {
    const [head = '', text = ''] = body.split('\r\n\r\n');
    if (/^HTTP\/1\.[01] 200 /.test(head)) finish(true, { host: text });
    else finish(false, { err: `bad-response` });
  });
  sock.once('error', (err: NodeJS.ErrnoException) => finish(false, { err: err.code ?? 'error' }));
}

const start = now();
const tick = setInterval(() => {
  if (now() - start > maxMs) stop();
  else request();
}, intervalMs);
function stop(): void {
  clearInterval(tick);
  // Requests in flight finish within the request timeout; then the loop drains and we exit.
  setTimeout(() => process.exit(0), connectTimeoutMs + requestTimeoutMs + 20);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
