// Accounting through the proxy data plane: connections and payload bytes exact, per service and
// per real server, checked with a byte-counting client and with real wrk load.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { startTandemListening } from '../helpers/daemon.js';
import { freePort, startHttpServer, type HttpRealServer } from '../helpers/real-http.js';
import { requireTool } from '../helpers/tools.js';

const VIP = '127.0.43.1';
let rs: HttpRealServer;

before(async () => {
  rs = await startHttpServer('127.0.43.2');
});
after(async () => {
  await rs.stop();
});

function conf(port: number): string {
  return `virtual_server ${VIP} ${port} {
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server ${rs.address} ${rs.port} {
        weight 1
    }
}
`;
}

interface Stats {
  conns: number;
  inbytes: number;
  outbytes: number;
}
interface Status {
  table: { services: { stats: Stats; dests: { stats: Stats }[] }[] };
}

test('bytes are counted exactly in both directions, per service and per real server', async () => {
  const port = await freePort(VIP);
  const t = await startTandemListening(conf(port), 1);
  try {
    const request = 'GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n';
    const received = await new Promise<number>((resolve, reject) => {
      let n = 0;
      const s = connect(port, VIP, () => s.write(request));
      s.on('data', (d: Buffer) => (n += d.length));
      s.on('end', () => resolve(n));
      s.on('error', reject);
    });
    // The entry is updated as the bytes pass; the close lands before the status is asked for.
    const status = (await t.status()) as unknown as Status;
    const svc = status.table.services[0]!;
    assert.deepEqual(
      { conns: svc.stats.conns, inbytes: svc.stats.inbytes, outbytes: svc.stats.outbytes },
      { conns: 1, inbytes: Buffer.byteLength(request), outbytes: received },
    );
    assert.deepEqual(svc.dests[0]!.stats.inbytes, svc.stats.inbytes);
  } finally {
    assert.equal(await t.stop(), 0);
  }
});

test('under real wrk load every completed request is one connection in the table', async (tc) => {
  if (!requireTool(tc, 'wrk')) return;
  const port = await freePort(VIP);
  const t = await startTandemListening(conf(port), 1);
  try {
    const { stdout } = await promisify(execFile)(
      'wrk',
      ['-t1', '-c4', '-d1s', '-H', 'Connection: close', `http://${VIP}:${port}/`],
      { timeout: 10_000 },
    );
    const done = Number(/(\d+) requests in/.exec(stdout)?.[1]);
    assert.ok(done > 10, stdout);
    assert.doesNotMatch(stdout, /Socket errors/);
    const status = (await t.status()) as unknown as Status;
    const conns = status.table.services[0]!.stats.conns;
    // When wrk's clock stops, each of its 4 connections may be mid-request or just reconnected.
    assert.ok(conns >= done && conns <= done + 8, `${conns} connections for ${done} requests`);
  } finally {
    assert.equal(await t.stop(), 0);
  }
});
