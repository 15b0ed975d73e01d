// The real-server helpers against the real binaries: nginx serves its three paths and logs the
// PROXY protocol source, dnsmasq answers A records, HAProxy balances two nginx listeners.
// A missing binary skips its test locally but fails under CI=true, where .ci/run installs it.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { dnsQuery, startDnsmasq } from '../helpers/dnsmasq.js';
import { startHaproxy } from '../helpers/haproxy.js';
import { NGINX_1M_BYTES, nginxBody, startNginx, type Listener } from '../helpers/nginx.js';
import { findBinary, freePort, freeUdpPort } from '../helpers/processes.js';

const exec = promisify(execFile);

/** True when every binary is present; otherwise skips (locally) or fails (CI=true). */
function need(t: TestContext, ...bins: string[]): boolean {
  const missing = bins.filter((b) => findBinary(b) === undefined);
  if (missing.length === 0) return true;
  const reason = `${missing.join(', ')} not installed (apt-get install nginx-light haproxy dnsmasq-base curl)`;
  if (process.env.CI === 'true') assert.fail(reason);
  t.skip(reason);
  return false;
}

async function curl(url: string): Promise<string> {
  const r = await exec('curl', ['-sS', '--max-time', '5', url], { encoding: 'utf8' });
  return r.stdout;
}

async function listeners(...addresses: string[]): Promise<Listener[]> {
  return Promise.all(
    addresses.map(async (address) => ({ address, port: await freePort(address) })),
  );
}

test('nginx serves /, /empty and /1m on each listener', { timeout: 30_000 }, async (t) => {
  if (!need(t, 'nginx', 'curl')) return;
  const ls = await listeners('127.0.0.2', '127.0.0.3');
  const nginx = await startNginx({ listeners: ls });
  t.after(() => nginx.stop());
  assert.equal(nginx.urls.length, 2);
  for (const [i, l] of ls.entries()) {
    assert.equal(await curl(nginx.urls[i]!), nginxBody(l));
    const empty = await fetch(`${nginx.urls[i]!}empty`);
    assert.equal(empty.status, 200);
    assert.equal((await empty.arrayBuffer()).byteLength, 0);
  }
  const big = await fetch(`${nginx.urls[0]!}1m`);
  assert.equal(big.status, 200);
  assert.equal((await big.arrayBuffer()).byteLength, NGINX_1M_BYTES);
});

test('nginx with proxyProtocol logs the PROXY header source', { timeout: 30_000 }, async (t) => {
  if (!need(t, 'nginx')) return;
  const [l] = await listeners('127.0.0.2');
  const nginx = await startNginx({ listeners: [l!], proxyProtocol: true });
  t.after(() => nginx.stop());
  const reply = await new Promise<string>((resolve, reject) => {
    const s = connect({ host: l!.address, port: l!.port });
    let data = '';
    s.setTimeout(5000, () => s.destroy(new Error('timeout')));
    s.on('data', (d: Buffer) => (data += d.toString()));
    s.on('end', () => resolve(data));
    s.on('error', reject);
    s.write(
      `PROXY TCP4 192.0.2.7 ${l!.address} 4242 ${l!.port}\r\n` +
        'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
  });
  assert.match(reply, /^HTTP\/1\.1 200/);
  // The log line is written after the response: poll briefly (bounded).
  let lines: string[] = [];
  for (let i = 0; i < 50 && lines.length === 0; i++) {
    lines = await nginx.accessLog();
    if (lines.length === 0) await new Promise((r) => setTimeout(r, 20));
  }
  // The readiness probe connected without a PROXY header: that is an error-log entry, not a request.
  const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const req = entries.find((e) => e.uri === '/');
  assert.ok(req !== undefined, `no request in access log: ${lines.join('\n')}`);
  assert.equal(req.proxy_protocol_addr, '192.0.2.7');
  assert.equal(req.proxy_protocol_port, '4242');
  assert.equal(req.remote_addr, '127.0.0.1');
  assert.equal(req.status, 200);
});

test('dnsmasq answers the configured A records', { timeout: 30_000 }, async (t) => {
  if (!need(t, 'dnsmasq')) return;
  const address = '127.0.0.5';
  const port = await freeUdpPort(address);
  const dns = await startDnsmasq({
    address,
    port,
    records: { 'rs1.tandem.test': '127.0.0.2', 'rs2.tandem.test': '127.0.0.3' },
  });
  t.after(() => dns.stop());
  assert.deepEqual(await dnsQuery(address, port, 'rs1.tandem.test'), ['127.0.0.2']);
  assert.deepEqual(await dnsQuery(address, port, 'rs2.tandem.test'), ['127.0.0.3']);
});

test('haproxy round-robins two nginx listeners', { timeout: 30_000 }, async (t) => {
  if (!need(t, 'nginx', 'haproxy', 'curl')) return;
  const ls = await listeners('127.0.0.2', '127.0.0.3');
  const nginx = await startNginx({ listeners: ls });
  t.after(() => nginx.stop());
  const [vip] = await listeners('127.0.0.10');
  const haproxy = await startHaproxy({ listen: vip!, servers: ls });
  t.after(() => haproxy.stop());
  const counts = new Map<string, number>();
  for (let i = 0; i < 10; i++) {
    const body = await curl(`http://${vip!.address}:${vip!.port}/`);
    counts.set(body, (counts.get(body) ?? 0) + 1);
  }
  for (const l of ls) {
    const n = counts.get(nginxBody(l)) ?? 0;
    assert.ok(
      n >= 4 && n <= 6,
      `${nginxBody(l).trim()} got ${n} of 10: ${JSON.stringify([...counts])}`,
    );
  }
});
