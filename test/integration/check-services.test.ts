// SMTP_CHECK, DNS_CHECK and UDP_CHECK probes against real servers on 127.0.61.0/24: Python's
// stdlib SMTP server, dnsmasq with a local authoritative zone, and node:dgram echo/silent
// servers plus a closed port for ICMP port unreachable. Small node:net servers stand in only
// where a real server cannot be made to misbehave (bad banner, silence, HELO refused).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { CheckerCommon, DnsCheck, SmtpCheck, UdpCheck } from '../../src/config/model.js';
import { dnsProbe, smtpProbe, udpProbe, type ProbeTarget } from '../../src/check/index.js';
import { startDnsmasq, type Dnsmasq } from '../helpers/dnsmasq.js';
import {
  findBinary,
  freePort,
  freeUdpPort,
  spawnChild,
  stopChild,
  waitForTcp,
  type Child,
} from '../helpers/processes.js';
import { requireTool } from '../helpers/tools.js';

const common: CheckerCommon = {
  at: { file: 'test', line: 1, column: 1 },
  connectTimeout: 1,
  retry: 1,
  delayBeforeRetry: 1,
  warmup: 0,
  delayLoop: 1,
  alpha: false,
  logAllFailures: false,
};

function target(address: string, port: number, timeoutMs = 1000, proto = 'tcp'): ProbeTarget {
  return { address, family: 'inet', port, label: `[${address}]:${proto}:${port}`, timeoutMs };
}
const never = new AbortController().signal;

/** A TCP server that runs `onLine` for the connection and each line the client sends. */
async function scriptedServer(
  address: string,
  greet: string | undefined,
  onLine: (line: string) => string | undefined,
  seen: string[] = [],
): Promise<{ server: Server; port: number }> {
  const server = createServer((sock) => {
    if (greet !== undefined) sock.write(greet);
    let buf = '';
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        seen.push(line);
        const answer = onLine(line);
        if (answer !== undefined) sock.write(answer);
      }
    });
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, address, r));
  const a = server.address();
  return { server, port: typeof a === 'object' && a !== null ? a.port : 0 };
}

describe('SMTP_CHECK', () => {
  const smtp: SmtpCheck = { ...common, type: 'SMTP_CHECK', heloName: 'smtpchecker.keepalived.org' };
  const servers: Server[] = [];
  after(() => servers.forEach((s) => s.close()));

  test('python smtpd: banner 220, HELO 250, QUIT', async (t: TestContext) => {
    if (!requireTool(t, 'python3')) return;
    if (spawnSync('python3', ['-c', 'import smtpd'], { stdio: 'ignore' }).status !== 0) {
      if (process.env.CI === 'true') throw new Error('python3 lacks smtpd (needs Python ≤ 3.11)');
      t.skip('python3 has no smtpd module (removed in 3.12)');
      return;
    }
    const port = await freePort('127.0.61.1');
    const python = findBinary('python3') ?? 'python3';
    const child: Child = spawnChild(python, [
      '-W',
      'ignore',
      '-m',
      'smtpd',
      '-n',
      '-c',
      'DebuggingServer',
      `127.0.61.1:${port}`,
    ]);
    t.after(() => stopChild(child));
    await waitForTcp('127.0.61.1', port, 10_000, child);
    const r = await smtpProbe(smtp)(target('127.0.61.1', port), never);
    assert.deepEqual(r, {
      ok: true,
      message: `Remote SMTP server [127.0.61.1]:tcp:${port} succeed on service.`,
    });
  });

  test('sends HELO <helo_name> and accepts a multi-line banner', async () => {
    const seen: string[] = [];
    const { server, port } = await scriptedServer(
      '127.0.61.1',
      '220-first line\r\n220 second line\r\n',
      (l) => (l.startsWith('HELO') ? '250 hi\r\n' : '221 bye\r\n'),
      seen,
    );
    servers.push(server);
    const r = await smtpProbe({ ...smtp, heloName: 'probe.example' })(
      target('127.0.61.1', port),
      never,
    );
    assert.equal(r.ok, true);
    assert.deepEqual(seen, ['HELO probe.example', 'QUIT']);
  });

  test('bad greeting banner, refused HELO, silence and a closed port', async () => {
    const bad = await scriptedServer('127.0.61.1', '554 go away\r\n', () => undefined);
    const noHelo = await scriptedServer('127.0.61.1', '220 ok\r\n', () => '502 no\r\n');
    const silent = await scriptedServer('127.0.61.1', undefined, () => undefined);
    servers.push(bad.server, noHelo.server, silent.server);
    const closed = await freePort('127.0.61.1');
    const probe = smtpProbe(smtp);
    const [r1, r2, r3, r4] = await Promise.all([
      probe(target('127.0.61.1', bad.port), never),
      probe(target('127.0.61.1', noHelo.port), never),
      probe(target('127.0.61.1', silent.port, 200), never),
      probe(target('127.0.61.1', closed), never),
    ]);
    assert.deepEqual(r1, {
      ok: false,
      failure: 'mismatch',
      message: `SMTP_CHECK Bad greeting banner from server [127.0.61.1]:tcp:${bad.port}`,
    });
    assert.equal(r2.ok ? '' : r2.failure, 'mismatch');
    assert.match(r2.message, /^SMTP_CHECK Bad HELO response from server /);
    assert.equal(r3.ok ? '' : r3.failure, 'timeout');
    assert.match(r3.message, /^SMTP_CHECK Read timeout from server /);
    assert.equal(r4.ok ? '' : r4.failure, 'refused');
    assert.match(r4.message, /^SMTP_CHECK Error connecting to server /);
  });
});

describe('DNS_CHECK against dnsmasq', () => {
  let dns: Dnsmasq | undefined;
  let port = 0;
  const address = '127.0.61.2';
  before(async () => {
    if (findBinary('dnsmasq') === undefined) return;
    port = await freeUdpPort(address);
    dns = await startDnsmasq({
      address,
      port,
      records: { 'www.tandem.test': '10.0.0.7' },
      extraArgs: [
        '--auth-zone=tandem.test',
        `--auth-server=ns.tandem.test,${address}`,
        '--auth-soa=2024010101,hostmaster.tandem.test',
        '--local=/tandem.test/',
      ],
    });
  });
  after(() => dns?.stop());
  const check = (queryType: DnsCheck['queryType'], name: string): DnsCheck => ({
    ...common,
    type: 'DNS_CHECK',
    queryType,
    name,
  });

  test('SOA of the local zone and an A record succeed; NXDOMAIN and REFUSED fail', async (t) => {
    if (!requireTool(t, 'dnsmasq')) return;
    const to = target(address, port, 1000, 'udp');
    assert.deepEqual(await dnsProbe(check('SOA', 'tandem.test'))(to, never), {
      ok: true,
      message: `DNS_CHECK ([${address}]:udp:${port}) success.`,
    });
    assert.equal((await dnsProbe(check('A', 'www.tandem.test.'))(to, never)).ok, true);
    assert.deepEqual(await dnsProbe(check('A', 'nope.tandem.test'))(to, never), {
      ok: false,
      failure: 'mismatch',
      message: `DNS_CHECK ([${address}]:udp:${port}) read error occurred. (rcode = 3)`,
    });
    // The defaults (SOA of the root) have no upstream here: dnsmasq answers REFUSED.
    const root = await dnsProbe(check('SOA', '.'))(to, never);
    assert.equal(root.ok ? '' : root.failure, 'mismatch');
    assert.match(root.message, /\(rcode = 5\)$/);
  });

  test('closed port and silent server', async () => {
    const closed = await freeUdpPort(address);
    const r = await dnsProbe(check('A', 'x'))(target(address, closed, 1000, 'udp'), never);
    assert.deepEqual(r, {
      ok: false,
      failure: 'refused',
      message: `DNS_CHECK ([${address}]:udp:${closed}) failed to read socket. Connection refused`,
    });
    const silent = await udpServer(address, () => undefined);
    const r2 = await dnsProbe(check('A', 'x'))(target(address, silent.port, 150, 'udp'), never);
    silent.sock.close();
    assert.equal(r2.ok ? '' : r2.failure, 'timeout');
    assert.match(r2.message, /read timeout from socket$/);
  });
});

/** A UDP server answering each datagram with `reply(datagram)` (nothing when undefined). */
async function udpServer(
  address: string,
  reply: (d: Buffer) => Buffer | undefined,
): Promise<{ sock: Socket; port: number }> {
  const sock = createSocket('udp4');
  sock.on('message', (d, rinfo) => {
    const answer = reply(d);
    if (answer !== undefined) sock.send(answer, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, address, r));
  return { sock, port: sock.address().port };
}

describe('UDP_CHECK', () => {
  const address = '127.0.61.3';
  const sockets: Socket[] = [];
  after(() => sockets.forEach((s) => s.close()));
  const udp = (extra: Partial<UdpCheck> = {}): UdpCheck => ({
    ...common,
    type: 'UDP_CHECK',
    payload: 'deadbeef01',
    minReplyLength: 0,
    maxReplyLength: 255,
    ...extra,
  });

  test('echo, silence and ICMP port unreachable without require_reply', async () => {
    const echo = await udpServer(address, (d) => d);
    const silent = await udpServer(address, () => undefined);
    sockets.push(echo.sock, silent.sock);
    const closed = await freeUdpPort(address);
    const probe = udpProbe(udp());
    const label = (p: number): string => `[${address}]:udp:${p}`;
    assert.deepEqual(await probe(target(address, echo.port, 500, 'udp'), never), {
      ok: true,
      message: `UDP connection to ${label(echo.port)} success.`,
    });
    // No reply within connect_timeout is success: only an ICMP unreachable fails.
    assert.equal((await probe(target(address, silent.port, 150, 'udp'), never)).ok, true);
    assert.deepEqual(await probe(target(address, closed, 1000, 'udp'), never), {
      ok: false,
      failure: 'refused',
      message: `UDP connection to ${label(closed)} failed.`,
    });
  });

  test('require_reply: wildcards, length bounds, silence', async () => {
    const echo = await udpServer(address, (d) => d);
    const silent = await udpServer(address, () => undefined);
    sockets.push(echo.sock, silent.sock);
    const to = target(address, echo.port, 500, 'udp');
    assert.equal((await udpProbe(udp({ requireReply: 'dexxbe' }))(to, never)).ok, true);
    assert.equal((await udpProbe(udp({ requireReply: '' }))(to, never)).ok, true);
    const wrong = await udpProbe(udp({ requireReply: 'deadbeef02' }))(to, never);
    assert.deepEqual(wrong, {
      ok: false,
      failure: 'mismatch',
      message: `UDP check to [${address}]:udp:${echo.port} reply data mismatch.`,
    });
    const long = await udpProbe(udp({ requireReply: 'de', maxReplyLength: 4 }))(to, never);
    assert.equal(long.ok ? '' : long.failure, 'mismatch');
    const short = await udpProbe(udp({ requireReply: 'de', minReplyLength: 6 }))(to, never);
    assert.equal(short.ok ? '' : short.failure, 'mismatch');
    const quiet = target(address, silent.port, 150, 'udp');
    const r = await udpProbe(udp({ requireReply: '' }))(quiet, never);
    assert.equal(r.ok ? '' : r.failure, 'timeout');
  });

  test('an empty payload is sent when none is configured', async () => {
    const lengths: number[] = [];
    const srv = await udpServer(address, (d) => (lengths.push(d.length), Buffer.of(1)));
    sockets.push(srv.sock);
    const noPayload: UdpCheck = {
      ...common,
      type: 'UDP_CHECK',
      requireReply: '01',
      minReplyLength: 0,
      maxReplyLength: 255,
    };
    assert.equal(
      (await udpProbe(noPayload)(target(address, srv.port, 500, 'udp'), never)).ok,
      true,
    );
    assert.deepEqual(lengths, [0]);
  });
});
