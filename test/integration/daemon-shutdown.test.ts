// Clean shutdown. The drain itself at the data plane (in process, real sockets): listeners close
// at once, an established relay finishes within the bound and is cut past it, UDP flows end at
// once. And the daemon driven from outside: SIGTERM closes its listeners, exits 0 within a bound,
// and a VRRP master hands its VIP over at once with priority 0 (RFC 5798 §6.4.3).

import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { test, type TestContext } from 'node:test';
import { ProxyDataPlane } from '../../src/dataplane/proxy/plane.js';
import { IpvsTable, schedulerFactory } from '../../src/ipvs/index.js';
import { createLogger, memorySink } from '../../src/lib/log.js';
import { startTandem, startTandemListening } from '../helpers/daemon.js';
import { freePort, freeUdpPort } from '../helpers/processes.js';
import { curl, startHttpServer, startUdpEcho } from '../helpers/real-http.js';

const VIP = '127.0.78.1';
const RS = '127.0.78.2';

/** A real server that answers `done` and closes, `delayMs` after the first bytes arrive. */
async function slowServer(
  t: TestContext,
  delayMs: number,
): Promise<{ port: number; got: Promise<void> }> {
  let gotData = (): void => undefined;
  const got = new Promise<void>((resolve) => (gotData = resolve));
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.once('data', () => {
      gotData();
      // Never: delayMs < 0 holds the connection open for good.
      if (delayMs >= 0) setTimeout(() => s.end('done\n'), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, RS, resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const a = server.address();
  return { port: typeof a === 'object' && a !== null ? a.port : 0, got };
}

async function plane(t: TestContext, protocol: 'TCP' | 'UDP', rsPort: number) {
  const sink = memorySink();
  const table = new IpvsTable({ now: () => performance.now(), schedulers: schedulerFactory });
  const p = new ProxyDataPlane({ table, log: createLogger({ write: sink.write }) });
  t.after(() => p.close());
  const port = protocol === 'TCP' ? await freePort(VIP) : await freeUdpPort(VIP);
  const key = { kind: 'ip', protocol, family: 'inet', address: VIP, port } as const;
  table.addService({ key, scheduler: 'rr' });
  table.addDest(key, { address: RS, port: rsPort, weight: 1, method: 'masq' });
  p.sync(table.snapshot().services, new Map());
  for (let i = 0; i < 100 && !p.proxyStats().listeners.every((l) => l.listening); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  return { p, port, records: sink.records };
}

/** Connect to VIP:port and send `go`; resolves the socket and, later, all it received. */
function request(port: number): { socket: Socket; reply: Promise<string> } {
  const socket = connect({ host: VIP, port });
  socket.on('error', () => undefined);
  socket.write('go\n');
  let body = '';
  socket.on('data', (d: Buffer) => (body += d.toString()));
  return { socket, reply: new Promise((resolve) => socket.once('close', () => resolve(body))) };
}

function refused(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: VIP, port });
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

test('drain: an in-flight request finishes within the bound while new connections are refused', async (t) => {
  const rs = await slowServer(t, 400);
  const { p, port, records } = await plane(t, 'TCP', rs.port);
  const { reply } = request(port);
  await rs.got;
  const t0 = performance.now();
  const closing = p.close({ drainMs: 5000 });
  assert.equal(await refused(port), 'ECONNREFUSED');
  assert.equal(await reply, 'done\n');
  assert.deepEqual(await closing, { drained: 1, cut: 0 });
  const took = performance.now() - t0;
  // Done when the relay is, not at the bound.
  assert.ok(took < 2000, `close took ${took} ms`);
  const rec = records.find((r) => r.msg === 'data plane closed');
  assert.equal(rec?.drained, 1);
  assert.equal(rec.cut, 0);
});

test('drain: a connection that outlives the bound is cut when it expires', async (t) => {
  const rs = await slowServer(t, -1);
  const { p, port } = await plane(t, 'TCP', rs.port);
  const { reply } = request(port);
  await rs.got;
  const t0 = performance.now();
  assert.deepEqual(await p.close({ drainMs: 300 }), { drained: 0, cut: 1 });
  const took = performance.now() - t0;
  assert.ok(took >= 290 && took < 2000, `close took ${took} ms`);
  assert.equal(await reply, '');
});

test('drain: no bound (the default) ends relays at once, and a later sync opens nothing', async (t) => {
  const rs = await slowServer(t, -1);
  const { p, port } = await plane(t, 'TCP', rs.port);
  const { reply } = request(port);
  await rs.got;
  const t0 = performance.now();
  assert.deepEqual(await p.close(), { drained: 0, cut: 1 });
  assert.ok(performance.now() - t0 < 500);
  await reply;
  const table = new IpvsTable({ now: () => 0, schedulers: schedulerFactory });
  const key = { kind: 'ip', protocol: 'TCP', family: 'inet', address: VIP, port } as const;
  table.addService({ key, scheduler: 'rr' });
  p.sync(table.snapshot().services, new Map());
  assert.deepEqual(p.proxyStats().listeners, []);
  assert.equal(await refused(port), 'ECONNREFUSED');
});

test('drain: UDP flows end at once, whatever the bound', async (t) => {
  const echo = await startUdpEcho(RS);
  t.after(() => echo.stop());
  const { p, port } = await plane(t, 'UDP', echo.port);
  const client = createSocket('udp4');
  t.after(() => client.close());
  const got = new Promise<string>((resolve) => client.once('message', (m) => resolve(String(m))));
  client.send('ping', port, VIP);
  assert.match(await got, /ping$/);
  assert.equal(p.proxyStats().udpFlows, 1);
  const t0 = performance.now();
  assert.deepEqual(await p.close({ drainMs: 5000 }), { drained: 0, cut: 0 });
  assert.ok(performance.now() - t0 < 500);
  assert.equal(p.proxyStats().udpFlows, 0);
});

test('daemon: SIGTERM closes the listeners and exits 0 within a bound', async (t) => {
  const rs = await startHttpServer(RS);
  t.after(() => rs.stop());
  const port = await freePort(VIP);
  const conf = `virtual_server ${VIP} ${port} {
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server ${RS} ${rs.port} { weight 1 }
}
`;
  const d = await startTandemListening(conf, 1);
  t.after(() => d.stop());
  assert.equal(await curl(`http://${VIP}:${port}/`), rs.name);
  // A long-lived connection: /hold sends the name and never ends the response.
  const held = connect({ host: VIP, port });
  held.on('error', () => undefined);
  held.write(`GET /hold HTTP/1.1\r\nHost: ${VIP}\r\n\r\n`);
  await new Promise((resolve) => held.once('data', resolve));
  const heldClosed = new Promise((resolve) => held.once('close', resolve));
  const t0 = performance.now();
  const code = await d.stop();
  const took = performance.now() - t0;
  assert.equal(code, 0);
  // Today everything is cut at once; with a drain bound (default 5 s) the held one waits it out.
  assert.ok(took < 8000, `exit took ${took} ms`);
  await heldClosed;
  const rec = d.records.find((r) => r.msg === 'data plane closed');
  assert.equal(Number(rec?.drained) + Number(rec?.cut), 1, JSON.stringify(rec));
  assert.ok(d.records.some((r) => r.msg === 'stopped'));
  assert.equal(await refused(port), 'ECONNREFUSED');
});

test('daemon: SIGTERM of a VRRP master hands the VIP to the backup at once (priority 0)', async (t) => {
  const rs = await startHttpServer(RS);
  t.after(() => rs.stop());
  const vip = '127.0.78.10';
  const port = await freePort(vip);
  const vrrpPort = await freeUdpPort('127.0.78.11');
  const conf = (self: string, peer: string, priority: number): string => `
vrrp_instance VI_1 {
  state BACKUP
  virtual_router_id 78
  priority ${priority}
  version 3
  advert_int 0.1
  vrrp_transport udp
  vrrp_udp_port ${vrrpPort}
  vip_mode listener
  unicast_src_ip ${self}
  unicast_peer { ${peer} }
  virtual_ipaddress { ${vip} }
}
virtual_server ${vip} ${port} {
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server ${RS} ${rs.port} { weight 1 }
}
`;
  const entered = (state: string) => (r: { msg: string }) =>
    r.msg === `(VI_1) Entering ${state} STATE`;
  const a = startTandem(conf('127.0.78.11', '127.0.78.12', 150), [], 'all');
  t.after(() => a.stop());
  await a.waitFor(entered('MASTER'), 5000);
  const b = startTandem(conf('127.0.78.12', '127.0.78.11', 100), [], 'all');
  t.after(() => b.stop());
  await b.waitFor((r) => r.msg === '(VI_1) Entering BACKUP STATE (init)', 5000);
  await a.waitFor((r) => r.msg === 'listening', 5000);
  assert.equal(await curl(`http://${vip}:${port}/`), rs.name);
  const t0 = performance.now();
  const stopped = a.stop();
  await b.waitFor(entered('MASTER'), 3000);
  const takeover = performance.now() - t0;
  // Priority 0: the backup waits Skew_Time only, not the master-down interval.
  assert.ok(takeover < 1500, `takeover took ${takeover} ms`);
  assert.equal(await stopped, 0);
  await b.waitFor((r) => r.msg === 'listening', 3000);
  assert.equal(await curl(`http://${vip}:${port}/`), rs.name);
});
