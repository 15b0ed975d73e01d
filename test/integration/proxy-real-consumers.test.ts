// The proxy data plane against real consumers: nginx reading the PROXY protocol header tandem
// sends (v1 and v2), and a real DNS server (dnsmasq) answering through a UDP virtual server.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { startTandemListening } from '../helpers/daemon.js';
import { dnsQuery, startDnsmasq } from '../helpers/dnsmasq.js';
import { startNginx } from '../helpers/nginx.js';
import { freePort, freeUdpPort } from '../helpers/processes.js';
import { requireTool } from '../helpers/tools.js';

const VIP = '127.0.44.1';
const CLIENT = '127.0.44.9';

for (const version of ['v1', 'v2'] as const) {
  test(`PROXY protocol ${version}: nginx logs the real client address and port`, async (t) => {
    if (!requireTool(t, 'nginx') || !requireTool(t, 'curl')) return;
    const rsPort = await freePort('127.0.44.2');
    const nginx = await startNginx({
      listeners: [{ address: '127.0.44.2', port: rsPort }],
      proxyProtocol: true,
    });
    const port = await freePort(VIP);
    const tandem = await startTandemListening(
      `virtual_server ${VIP} ${port} {
    lb_algo rr
    lb_kind NAT
    protocol TCP
    proxy_protocol ${version}
    real_server 127.0.44.2 ${rsPort} {
        weight 1
    }
}
`,
      1,
    );
    try {
      // curl reports the local port it used, so the header's source port can be checked too.
      const { stdout } = await promisify(execFile)('curl', [
        '-s',
        '--max-time',
        '5',
        '--interface',
        CLIENT,
        '-o',
        '/dev/null',
        '-w',
        '%{http_code} %{local_port}',
        `http://${VIP}:${port}/`,
      ]);
      const [code, localPort] = stdout.split(' ');
      assert.equal(code, '200');
      const lines = await nginx.accessLog();
      assert.equal(lines.length, 1, lines.join('\n'));
      const rec = JSON.parse(lines[0]!) as Record<string, string>;
      assert.equal(rec.proxy_protocol_addr, CLIENT);
      assert.equal(rec.proxy_protocol_port, localPort);
      assert.notEqual(rec.remote_addr, CLIENT, 'the TCP peer is the director, not the client');
    } finally {
      assert.equal(await tandem.stop(), 0);
      await nginx.stop();
    }
  });
}

test('UDP: DNS queries through the VIP are answered by a real dnsmasq', async (t) => {
  if (!requireTool(t, 'dnsmasq')) return;
  const dnsPort = await freeUdpPort('127.0.44.3');
  const dns = await startDnsmasq({
    address: '127.0.44.3',
    port: dnsPort,
    records: { 'rs.tandem.test': '10.9.8.7' },
  });
  const port = await freeUdpPort(VIP);
  const tandem = await startTandemListening(
    `virtual_server ${VIP} ${port} {
    lb_algo rr
    lb_kind NAT
    protocol UDP
    real_server 127.0.44.3 ${dnsPort} {
        weight 1
    }
}
`,
    1,
  );
  try {
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await dnsQuery(VIP, port, 'rs.tandem.test'), ['10.9.8.7']);
    }
    const status = (await tandem.status()) as {
      table: { services: { stats: { conns: number } }[] };
    };
    assert.equal(status.table.services[0]!.stats.conns, 3, 'each query socket is its own flow');
  } finally {
    assert.equal(await tandem.stop(), 0);
    await dns.stop();
  }
});
