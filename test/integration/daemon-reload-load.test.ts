// SIGHUP reload under continuous load, as an operator would do it: wrk drives an unchanged service
// A while the configuration is reloaded several times, alternately adding service C and removing
// B. Reload is a diff (keepalived's: untouched virtual servers are not re-created), so wrk must see
// no socket error and no failed response, with keep-alive and with a new connection per request,
// and a connection to A opened before the reloads still works after them. A broken file is
// rejected with diagnostics and the running configuration keeps serving.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { startTandemListening, type RunningTandem } from '../helpers/daemon.js';
import { curl, freePort, startHttpServer, type HttpRealServer } from '../helpers/real-http.js';
import { requireTool } from '../helpers/tools.js';

const VIP = '127.0.77.1';

interface Setup {
  readonly a: readonly HttpRealServer[];
  readonly other: HttpRealServer;
  readonly ports: { readonly a: number; readonly b: number; readonly c: number };
}

function vs(port: number, servers: readonly HttpRealServer[], check = ''): string {
  const rs = servers
    .map((r) => `  real_server ${r.address} ${r.port} {\n    weight 1\n${check}  }`)
    .join('\n');
  return `virtual_server ${VIP} ${port} {\n  delay_loop 1\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n${rs}\n}\n`;
}

/** A (with TCP checks, never changed) plus B or C. */
function conf(s: Setup, second: 'b' | 'c'): string {
  const check = '    TCP_CHECK {\n      connect_timeout 1\n    }\n';
  return vs(s.ports.a, s.a, check) + vs(s.ports[second], [s.other]);
}

async function setup(t: TestContext): Promise<Setup> {
  const servers = [
    await startHttpServer('127.0.77.2'),
    await startHttpServer('127.0.77.3'),
    await startHttpServer('127.0.77.4'),
  ];
  t.after(() => Promise.all(servers.map((r) => r.stop())));
  const ports = { a: await freePort(VIP), b: await freePort(VIP), c: await freePort(VIP) };
  return { a: servers.slice(0, 2), other: servers[2]!, ports };
}

interface Status {
  services: { service: string; dests: { address: string; port: number; weight: number }[] }[];
  table: { services: { port: number; stats: { conns: number } }[] };
  checks: { vs: string; rs: { rs: string; alive: boolean }[] }[];
}

/** A's real servers as status shows them, and how many connections A has had. */
async function viewOfA(d: RunningTandem, port: number) {
  const s = (await d.status()) as unknown as Status;
  const svc = s.services.find((x) => x.service === `TCP ${VIP}:${port}`);
  const dests = svc?.dests.map((x) => `${x.address}:${x.port} w${x.weight}`).sort();
  const conns = s.table.services.find((x) => x.port === port)?.stats.conns ?? -1;
  const alive = s.checks
    .filter((c) => c.vs.endsWith(`:${port}`))
    .flatMap((c) => c.rs.map((r) => `${r.rs} ${r.alive}`))
    .sort();
  return { dests, conns, alive };
}

/** One HTTP/1.1 request on a kept-alive socket; resolves the body's first line. */
function ask(s: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (d: Buffer): void => {
      text += d.toString();
      const m = /\r\n\r\n(.*)\n/.exec(text);
      if (m === null) return;
      s.off('data', onData);
      s.off('close', onClose);
      resolve(`${/^HTTP\/1\.1 (\d+)/.exec(text)?.[1]} ${m[1]}`);
    };
    const onClose = (): void => reject(new Error(`closed after ${JSON.stringify(text)}`));
    s.on('data', onData);
    s.once('close', onClose);
    s.write(`GET / HTTP/1.1\r\nHost: ${VIP}\r\n\r\n`);
  });
}

async function reloadsUnderLoad(t: TestContext, wrkHeaders: readonly string[]): Promise<void> {
  if (!requireTool(t, 'wrk')) return;
  const s = await setup(t);
  const d = await startTandemListening(conf(s, 'b'), 2);
  t.after(() => d.stop());
  const url = (port: number): string => `http://${VIP}:${port}/`;
  assert.equal(await curl(url(s.ports.b)), s.other.name);
  const long = connect({ host: VIP, port: s.ports.a });
  t.after(() => long.destroy());
  long.on('error', () => undefined);
  assert.match(await ask(long), /^200 rs 127\.0\.77\.[23]:/);
  const before = await viewOfA(d, s.ports.a);
  assert.equal(before.dests?.length, 2);
  assert.equal(before.alive.filter((x) => x.endsWith(' true')).length, 2, String(before.alive));

  const wrk = promisify(execFile)(
    'wrk',
    ['-t1', '-c8', '-d3s', '--timeout', '2s', ...wrkHeaders, url(s.ports.a)],
    { timeout: 15_000 },
  );
  await new Promise((r) => setTimeout(r, 300));
  for (let i = 0; i < 4; i++) {
    const add = i % 2 === 0;
    const r = await d.reload(conf(s, add ? 'c' : 'b'));
    assert.equal(r.msg, 'reloaded', d.stderr());
    assert.deepEqual([r.added, r.removed, r.kept], [1, 1, 1]);
    // The added service serves at once; the removed one's listener is gone.
    assert.equal(await curl(url(s.ports[add ? 'c' : 'b'])), s.other.name);
    assert.equal(await curl(url(s.ports[add ? 'b' : 'c'])), 'ERR 7');
    await new Promise((r) => setTimeout(r, 250));
  }
  const { stdout } = await wrk;
  const done = Number(/(\d+) requests in/.exec(stdout)?.[1]);
  assert.ok(done > 100, stdout);
  assert.doesNotMatch(stdout, /Socket errors/, stdout);
  assert.doesNotMatch(stdout, /Non-2xx/, stdout);
  t.diagnostic(`wrk ${wrkHeaders.join(' ') || 'keep-alive'}: ${done} requests, 0 errors`);

  // A was never touched: same real servers, its counters not reset, checkers still agree.
  const after = await viewOfA(d, s.ports.a);
  assert.deepEqual(after.dests, before.dests);
  assert.ok(after.conns >= before.conns + (wrkHeaders.length > 0 ? done : 1), `${after.conns}`);
  assert.deepEqual(after.alive, before.alive);
  assert.match(await ask(long), /^200 rs 127\.0\.77\.[23]:/);
}

test('SIGHUP under wrk load (keep-alive): no failed request, C added, B removed, A untouched', (t) =>
  reloadsUnderLoad(t, []));

test('SIGHUP under wrk load (a new connection per request): no failed request', (t) =>
  reloadsUnderLoad(t, ['-H', 'Connection: close']));

test('an invalid reload is rejected with diagnostics and the running services go on', async (t) => {
  const s = await setup(t);
  const d = await startTandemListening(conf(s, 'b'), 2);
  t.after(() => d.stop());
  const url = (port: number): string => `http://${VIP}:${port}/`;
  const broken = `${conf(s, 'c')}virtual_server ${VIP} {\n  lb_algo nosuch\n`;
  const r = await d.reload(broken);
  assert.match(r.msg, /^reload failed/);
  // Diagnostics as tandem -t prints them: FILE:LINE:COL: error: message [CODE]. stderr is its
  // own pipe, so it may arrive after the log record.
  const diag = /keepalived\.conf:\d+:\d+: error: /;
  for (let i = 0; i < 50 && !diag.test(d.stderr()); i++)
    await new Promise((w) => setTimeout(w, 20));
  assert.match(d.stderr(), diag);
  assert.match(await curl(url(s.ports.a)), /^rs 127\.0\.77\.[23]:/);
  assert.equal(await curl(url(s.ports.b)), s.other.name);
  assert.equal(await curl(url(s.ports.c)), 'ERR 7');
  const ok = await d.reload(conf(s, 'c'));
  assert.equal(ok.msg, 'reloaded');
  assert.equal(await curl(url(s.ports.c)), s.other.name);
  assert.equal(await curl(url(s.ports.b)), 'ERR 7');
  assert.match(await curl(url(s.ports.a)), /^rs 127\.0\.77\.[23]:/);
});
