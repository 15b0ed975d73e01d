// SSL_GET against a real TLS server with a self-signed certificate made by openssl at test time
// (SNI, CA verification, read timeout), and `tandem genhash` / `tandem -T` as a user runs them,
// against the raw server and a real nginx. Addresses in 127.0.60.0/24.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { after, before, test, type TestContext } from 'node:test';
import { httpProbe } from '../../src/check/index.js';
import { httpCheck, never, summary, target, url } from '../helpers/checks.js';
import { freePort, nginxBody, startNginx } from '../helpers/nginx.js';
import { TANDEM } from '../helpers/paths.js';
import {
  HANG,
  chunkedResponse,
  response,
  selfSigned,
  startRawHttp,
  type RawHttpServer,
  type SelfSigned,
} from '../helpers/raw-http.js';
import { haveTool, requireTool } from '../helpers/tools.js';

const IP = '127.0.60.20';
const BODY = 'secure and sound\n';
const md5 = (b: string | Buffer): string => createHash('md5').update(b).digest('hex');
let cert: SelfSigned | undefined;
let other: SelfSigned | undefined;
let tls: RawHttpServer | undefined;
let plain: RawHttpServer;

const reply = (path: string) =>
  path === '/hang'
    ? HANG
    : path === '/chunked'
      ? chunkedResponse(200, Buffer.from(BODY), [5])
      : response(200, BODY);

before(async () => {
  plain = await startRawHttp({ address: '127.0.60.21', reply });
  if (!haveTool('openssl')) return;
  cert = selfSigned('tandem.test');
  other = selfSigned('other.test');
  tls = await startRawHttp({ address: IP, tls: { key: cert.key, cert: cert.cert }, reply });
});
after(async () => {
  await plain.stop();
  await tls?.stop();
  cert?.remove();
  other?.remove();
});

function needTls(t: TestContext): RawHttpServer | undefined {
  if (!requireTool(t, 'openssl')) return undefined;
  return tls;
}

test('SSL_GET: success without verification, and SNI as the server sees it', async (t) => {
  const s = needTls(t);
  if (s === undefined) return;
  const tg = target(IP, s.port);
  const ssl = httpCheck([url('/', { digest: md5(BODY) })], { type: 'SSL_GET' });
  assert.equal(
    summary(await httpProbe(ssl, undefined)(tg, never())),
    `ok: Remote Web server [${IP}]:tcp:${s.port} succeed on service.`,
  );
  assert.equal(s.requests.at(-1)?.servername, false, 'no SNI unless enable_sni');
  const sni = httpCheck([url('/')], {
    type: 'SSL_GET',
    enableSni: true,
    virtualhost: 'www.tandem.test',
  });
  assert.equal((await httpProbe(sni, undefined)(tg, never())).ok, true);
  assert.equal(s.requests.at(-1)?.servername, 'www.tandem.test');
  assert.match(s.requests.at(-1)?.raw ?? '', /\r\nHost: www\.tandem\.test\r\n/);
  const named = httpCheck([url('/')], {
    type: 'SSL_GET',
    enableSni: true,
    sniName: 'sni.test',
    virtualhost: 'v.test',
  });
  await httpProbe(named, undefined)(tg, never());
  assert.equal(s.requests.at(-1)?.servername, 'sni.test');
  const chunked = httpCheck([url('/chunked', { digest: md5(BODY) })], {
    type: 'SSL_GET',
    httpProtocol: '1.1',
    tlsCompliant: true,
  });
  assert.equal((await httpProbe(chunked, undefined)(tg, never())).ok, true);
});

test('SSL_GET: with SSL { ca } the chain is verified', async (t) => {
  const s = needTls(t);
  if (s === undefined || cert === undefined || other === undefined) return;
  const tg = target(IP, s.port);
  const check = httpCheck([url('/')], { type: 'SSL_GET' });
  assert.equal((await httpProbe(check, { ca: cert.certPath })(tg, never())).ok, true);
  const wrong = await httpProbe(check, { ca: other.certPath })(tg, never());
  assert.equal(
    summary(wrong),
    `error: SSL handshake/communication error connecting to server [${IP}]:tcp:${s.port}.`,
  );
  const missing = await httpProbe(check, { ca: `${other.dir}/nope.pem` })(tg, never());
  assert.equal(summary(missing), 'error: SSL error : Cant load CA file...');
  // A client certificate the server does not ask for is harmless, and it must load.
  const client = { certificate: other.certPath, key: other.keyPath };
  assert.equal((await httpProbe(check, client)(tg, never())).ok, true);
});

test('SSL_GET: a handshake or a response that never comes times out', async (t) => {
  const s = needTls(t);
  if (s === undefined) return;
  const check = httpCheck([url('/')], { type: 'SSL_GET' });
  // The plain server waits for a request line that never comes: the handshake times out.
  const r = await httpProbe(check, undefined)(target(plain.address, plain.port, 300), never());
  assert.equal(
    summary(r),
    `timeout: Timeout connecting server [${plain.address}]:tcp:${plain.port}.`,
  );
  const hang = await httpProbe(httpCheck([url('/hang')], { type: 'SSL_GET' }), undefined)(
    target(IP, s.port, 300),
    never(),
  );
  assert.equal(summary(hang), `timeout: Timeout SSL read server [${IP}]:tcp:${s.port}.`);
});

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Asynchronous on purpose: the servers live in this process and must keep answering. */
function tandem(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TANDEM, ...args], { timeout: 10_000 }, (err, stdout, stderr) => {
      const status = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ status, stdout, stderr });
    });
  });
}

test('genhash prints the MD5 of the body, plain and chunked, as genhash and -T', async () => {
  const p = String(plain.port);
  assert.deepEqual(await tandem('genhash', '-s', plain.address, '-p', p, '-u', '/'), {
    status: 0,
    stdout: `${md5(BODY)}\n`,
    stderr: '',
  });
  const t = await tandem(
    '-T',
    '--server',
    plain.address,
    '--port',
    p,
    '--url',
    '/chunked',
    '-P',
    '1.1',
  );
  assert.deepEqual(t, { status: 0, stdout: `${md5(BODY)}\n`, stderr: '' });
  assert.match(
    plain.requests.at(-1)?.raw ?? '',
    /^GET \/chunked HTTP\/1\.1\r\n.*Connection: close\r\n/s,
  );
  const v = await tandem(
    'genhash',
    '-s',
    plain.address,
    '-p',
    p,
    '-u',
    '/',
    '-V',
    'vh.test',
    '--verbose',
  );
  assert.equal(v.status, 0);
  assert.match(v.stdout, /\[ HTTP Header Ascii Buffer \]-+\nHTTP\/1\.1 200 X\r\n/);
  assert.ok(v.stdout.endsWith(`]-----------------------\n${md5(BODY)}\n`));
  assert.match(plain.requests.at(-1)?.raw ?? '', /\r\nHost: vh\.test\r\n/);
});

test('genhash: SSL with SNI, timeouts and refusals', async (t) => {
  const s = needTls(t);
  if (s === undefined) return;
  const ok = await tandem(
    'genhash',
    '-S',
    '-I',
    '-V',
    'g.test',
    '-s',
    IP,
    '-p',
    String(s.port),
    '-u',
    '/',
  );
  assert.deepEqual(ok, { status: 0, stdout: `${md5(BODY)}\n`, stderr: '' });
  assert.equal(s.requests.at(-1)?.servername, 'g.test');
  const hang = await tandem(
    'genhash',
    '-s',
    plain.address,
    '-p',
    String(plain.port),
    '-u',
    '/hang',
    '-t',
    '1',
  );
  assert.deepEqual(hang, { status: 1, stdout: 'Timeout WEB read\n', stderr: '' });
  const port = await freePort('127.0.60.22');
  const refused = await tandem('genhash', '-s', '127.0.60.22', '-p', String(port), '-u', '/');
  assert.deepEqual(refused, { status: 1, stdout: 'Error connecting\n', stderr: '' });
});

test('genhash argument errors print the usage and exit 1', async () => {
  const cases: [string[], RegExp][] = [
    [['genhash'], /^Usage: tandem genhash/],
    [['genhash', '-s', '127.0.0.1', '-p', '80'], /^Usage:/],
    [
      ['genhash', '-s', 'localhost', '-p', '80', '-u', '/'],
      /^server should be an IP, not localhost\nUsage:/,
    ],
    [['genhash', '-s', '127.0.0.1', '-p', '70000', '-u', '/'], /^invalid port number '70000'\n/],
    [
      ['-T', '-s', '127.0.0.1', '-p', '80', '-u', '/', '-P', '2.0'],
      /^invalid HTTP protocol version '2.0'\n/,
    ],
    [['genhash', '-s', '127.0.0.1', '-p', '80', '-u', '/', '-t', 'x'], /^invalid timeout 'x'\n/],
    [
      ['genhash', '-s', '127.0.0.1', '-p', '80', '-u', '/', 'extra'],
      /^Unexpected argument\(s\): extra\n/,
    ],
    [['genhash', '--bogus'], /Unknown option '--bogus'/],
  ];
  for (const [args, err] of cases) {
    const r = await tandem(...args);
    assert.equal(r.status, 1, args.join(' '));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, err);
  }
  const help = await tandem('genhash', '-h');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--use-virtualhost -V/);
});

test('genhash against a real nginx matches the body nginx serves', async (t) => {
  if (!requireTool(t, 'nginx')) return;
  const l = { address: '127.0.60.23', port: await freePort('127.0.60.23') };
  const nginx = await startNginx({ listeners: [l] });
  t.after(() => nginx.stop());
  for (const proto of ['1.0', '1.0C', '1.1']) {
    const r = await tandem(
      'genhash',
      '-s',
      l.address,
      '-p',
      String(l.port),
      '-u',
      '/',
      '-P',
      proto,
    );
    assert.deepEqual(r, { status: 0, stdout: `${md5(nginxBody(l))}\n`, stderr: '' });
  }
  // The digest genhash prints is the one HTTP_GET accepts.
  const check = httpCheck([url('/', { digest: md5(nginxBody(l)) })]);
  assert.equal((await httpProbe(check, undefined)(target(l.address, l.port), never())).ok, true);
});
