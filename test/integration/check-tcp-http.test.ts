// TCP_CHECK and HTTP_GET probes against real servers on 127.0.60.0/24: a raw-socket HTTP server
// that records the request bytes, a listener whose accept queue is full (connects hang), a
// server that accepts and never answers, and a real nginx.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { httpProbe, tcpProbe } from '../../src/check/index.js';
import { closeFd, openListenSocket } from '../../src/sys/socket.js';
import { httpCheck, never, summary, target, url } from '../helpers/checks.js';
import { freePort, nginxBody, startNginx, NGINX_1M_BYTES } from '../helpers/nginx.js';
import {
  HANG,
  chunkedResponse,
  response,
  startRawHttp,
  type RawHttpServer,
} from '../helpers/raw-http.js';
import { requireTool } from '../helpers/tools.js';

const IP = '127.0.60.1';
const md5 = (b: string | Buffer): string => createHash('md5').update(b).digest('hex');
const BODY = 'all good\n';
let srv: RawHttpServer;

before(async () => {
  srv = await startRawHttp({
    address: IP,
    reply: (path) => {
      if (path === '/') return response(200, BODY);
      if (path === '/503') return response(503, 'down');
      if (path === '/302') return response(302, '', 'Location: /\r\n');
      if (path === '/chunked') return chunkedResponse(200, Buffer.from(BODY), [3, 1, 2]);
      if (path === '/close') return `HTTP/1.0 200 OK\r\n\r\n${BODY}`;
      if (path === '/garbage') return 'SSH-2.0-OpenSSH\r\n';
      if (path === '/hang') return HANG;
      return response(404, 'nope');
    },
  });
});
after(() => srv.stop());

const t = (timeoutMs = 1000) => target(IP, srv.port, timeoutMs);
const label = () => `[${IP}]:tcp:${srv.port}`;

test('TCP_CHECK: success on connect, "failed." on refusal', async () => {
  assert.equal(summary(await tcpProbe(t(), never())), `ok: TCP connection to ${label()} success.`);
  const closed = await freePort('127.0.60.2');
  const r = await tcpProbe(target('127.0.60.2', closed), never());
  assert.equal(summary(r), `refused: TCP connection to [127.0.60.2]:tcp:${closed} failed.`);
});

test('TCP_CHECK honours bindto and bind_port', async () => {
  const bindPort = await freePort('127.0.60.3');
  const r = await tcpProbe({ ...t(), bindto: '127.0.60.3', bindPort }, never());
  assert.equal(r.ok, true);
  for (let i = 0; i < 50 && !srv.peers.includes(`127.0.60.3:${bindPort}`); i++) {
    await new Promise((res) => setTimeout(res, 10));
  }
  assert.ok(srv.peers.includes(`127.0.60.3:${bindPort}`), srv.peers.join(' '));
  // An address this host does not have: a local error, not the server's fault.
  const bad = await tcpProbe({ ...t(), bindto: '192.0.2.1' }, never());
  assert.deepEqual([bad.ok, !bad.ok && bad.failure], [false, 'error']);
});

test('TCP_CHECK: a full accept queue times out within connect_timeout', async () => {
  const address = '127.0.60.4';
  const port = await freePort(address);
  const sock = openListenSocket({
    kind: 'tcp',
    family: 'inet',
    address,
    port,
    freebind: false,
    reusePort: false,
    backlog: 0,
  });
  assert.ok(sock.ok, 'raw listening socket');
  const fillers: Socket[] = [];
  for (let i = 0; i < 3; i++) fillers.push(connect(port, address).on('error', () => undefined));
  await new Promise((r) => setTimeout(r, 200));
  try {
    const started = performance.now();
    const r = await tcpProbe(target(address, port, 400), never());
    const elapsed = performance.now() - started;
    assert.equal(summary(r), `timeout: TCP connection to [${address}]:tcp:${port} timeout.`);
    assert.ok(elapsed >= 350 && elapsed < 1500, `timed out after ${Math.round(elapsed)} ms`);
    // The runner's abort ends an attempt at once, too.
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const aborted = await tcpProbe(target(address, port, 5000), ac.signal);
    assert.equal(!aborted.ok && aborted.failure, 'timeout');
  } finally {
    for (const f of fillers) f.destroy();
    closeFd(sock.fd);
  }
});

test('HTTP_GET: status ranges, default 200-299, mismatch line', async () => {
  const ok = await httpProbe(httpCheck([url('/')]), undefined)(t(), never());
  assert.equal(summary(ok), `ok: Remote Web server ${label()} succeed on service.`);
  const bad = await httpProbe(httpCheck([url('/503')]), undefined)(t(), never());
  assert.equal(summary(bad), `mismatch: HTTP status code error to server ${label()}.`);
  const ranged = httpCheck([
    url('/503', {
      statusCode: [
        [200, 200],
        [500, 503],
      ],
    }),
  ]);
  assert.equal((await httpProbe(ranged, undefined)(t(), never())).ok, true);
  const redirect = httpCheck([url('/302', { statusCode: [[300, 399]] })]);
  assert.equal((await httpProbe(redirect, undefined)(t(), never())).ok, true);
  // Every url must pass: the second one fails the attempt.
  const both = await httpProbe(httpCheck([url('/'), url('/404')]), undefined)(t(), never());
  assert.equal(!both.ok && both.failure, 'mismatch');
});

test('HTTP_GET: digest over Content-Length, chunked and read-to-close bodies', async () => {
  for (const path of ['/', '/chunked', '/close']) {
    const good = httpCheck([url(path, { digest: md5(BODY) }), url(path)], { httpProtocol: '1.1' });
    assert.equal(summary(await httpProbe(good, undefined)(t(), never())).slice(0, 3), 'ok:', path);
  }
  const bad = await httpProbe(httpCheck([url('/', { digest: md5('other') })]), undefined)(
    t(),
    never(),
  );
  assert.equal(summary(bad), `mismatch: MD5 digest error to server ${label()}.`);
});

test('HTTP_GET: regex, regex_no_match, offsets and options', async () => {
  const run = async (o: Parameters<typeof url>[1]) =>
    (await httpProbe(httpCheck([url('/', o)]), undefined)(t(), never())).ok;
  assert.equal(await run({ regex: 'go+d' }), true);
  assert.equal(await run({ regex: 'GOOD' }), false);
  assert.equal(await run({ regex: 'GOOD', regexOptions: ['caseless'] }), true);
  assert.equal(await run({ regex: 'down', regexNoMatch: true }), true);
  assert.equal(await run({ regex: 'good', regexNoMatch: true }), false);
  assert.equal(await run({ regex: 'good', regexMinOffset: 4 }), true);
  assert.equal(await run({ regex: 'good', regexMinOffset: 5 }), false);
  assert.equal(await run({ regex: 'good', regexMaxOffset: 3 }), false);
  assert.equal(await run({ regex: 'good', regexMaxOffset: 4 }), true);
  const r = await httpProbe(httpCheck([url('/', { regex: 'nope' })]), undefined)(t(), never());
  assert.equal(summary(r), `mismatch: Regex match failed server ${label()}.`);
  const invalid = await httpProbe(httpCheck([url('/', { regex: '(' })]), undefined)(t(), never());
  assert.equal(!invalid.ok && invalid.failure, 'error');
});

test('HTTP_GET: byte-exact requests for 1.0, 1.0C and 1.1, and the Host header', async () => {
  const expect = (proto: string, conn: boolean, host: string): string =>
    `GET /?q=1 HTTP/${proto}\r\nUser-Agent: KeepAliveClient\r\n` +
    `${conn ? 'Connection: close\r\n' : ''}Host: ${host}\r\n\r\n`;
  const cases = [
    ['1.0', '1.0', false],
    ['1.0C', '1.0', true],
    ['1.1', '1.1', true],
  ] as const;
  for (const [proto, wire, conn] of cases) {
    await httpProbe(httpCheck([url('/?q=1')], { httpProtocol: proto }), undefined)(t(), never());
    assert.equal(srv.requests.at(-1)?.raw, expect(wire, conn, `${IP}:${srv.port}`));
  }
  // url virtualhost > checker virtualhost > real server virtualhost > IP:PORT.
  const hosts: [Parameters<typeof httpCheck>[1], string | undefined, string][] = [
    [{ virtualhost: 'checker.test' }, 'rs.test', 'checker.test'],
    [{}, 'rs.test', 'rs.test'],
  ];
  for (const [o, rs, want] of hosts) {
    await httpProbe(httpCheck([url('/')], o), undefined, rs)(t(), never());
    assert.match(srv.requests.at(-1)?.raw ?? '', new RegExp(`\r\nHost: ${want}\r\n`));
  }
  const c = httpCheck([url('/', { virtualhost: 'url.test' })], { virtualhost: 'checker.test' });
  await httpProbe(c, undefined, 'rs.test')(t(), never());
  assert.match(srv.requests.at(-1)?.raw ?? '', /\r\nHost: url\.test\r\n/);
});

test('HTTP_GET: timeouts and refusals give keepalived step lines', async () => {
  const started = performance.now();
  const hang = await httpProbe(httpCheck([url('/hang')]), undefined)(t(300), never());
  assert.ok(performance.now() - started < 1500);
  assert.equal(summary(hang), `timeout: Timeout WEB read server ${label()}.`);
  const garbage = await httpProbe(httpCheck([url('/garbage')]), undefined)(t(), never());
  assert.equal(summary(garbage), `refused: Read, no data received from  server ${label()}.`);
  const port = await freePort('127.0.60.5');
  const refused = await httpProbe(httpCheck([url('/')]), undefined)(
    target('127.0.60.5', port),
    never(),
  );
  assert.equal(summary(refused), `refused: Error connecting server [127.0.60.5]:tcp:${port}.`);
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  const aborted = await httpProbe(httpCheck([url('/hang')]), undefined)(t(5000), ac.signal);
  assert.equal(!aborted.ok && aborted.failure, 'timeout');
});

test('HTTP_GET against a real nginx: status, digest, a 1 MiB body', async (tc) => {
  if (!requireTool(tc, 'nginx')) return;
  const l = { address: '127.0.60.9', port: await freePort('127.0.60.9') };
  const nginx = await startNginx({ listeners: [l] });
  tc.after(() => nginx.stop());
  const big = Buffer.alloc(NGINX_1M_BYTES);
  for (let i = 0; i < big.length; i++) big[i] = (i * 131 + (i >>> 12)) & 0xff;
  for (const proto of ['1.0', '1.1'] as const) {
    const c = httpCheck(
      [url('/', { digest: md5(nginxBody(l)) }), url('/1m', { digest: md5(big) }), url('/empty')],
      { httpProtocol: proto },
    );
    const r = await httpProbe(c, undefined)(target(l.address, l.port), never());
    assert.equal(
      summary(r),
      `ok: Remote Web server [${l.address}]:tcp:${l.port} succeed on service.`,
    );
  }
  const missing = await httpProbe(httpCheck([url('/missing')]), undefined)(
    target(l.address, l.port),
    never(),
  );
  assert.equal(!missing.ok && missing.failure, 'mismatch');
});
