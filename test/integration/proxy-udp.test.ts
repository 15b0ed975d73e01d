// UDP through the proxy data plane: flows keyed by client address:port, replies from the VIP,
// persistence across flows, with real UDP echo servers and real sockets.

import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, test } from 'node:test';
import { startTandemListening } from '../helpers/daemon.js';
import { freeUdpPort } from '../helpers/processes.js';
import { startUdpEcho, tally, type UdpEcho } from '../helpers/real-http.js';

const VIP = '127.0.42.1';
let echo: UdpEcho[] = [];

before(async () => {
  echo = [await startUdpEcho('127.0.42.2'), await startUdpEcho('127.0.42.3')];
});
after(async () => {
  await Promise.all(echo.map((e) => e.stop()));
});

function conf(port: number, extra = ''): string {
  return `virtual_server ${VIP} ${port} {
    lb_algo rr
    lb_kind NAT
    protocol UDP
${extra}
${echo.map((e) => `    real_server ${e.address} ${e.port} {\n        weight 1\n    }`).join('\n')}
}
`;
}

/** Send `text` from `sock` to the VIP; resolves with the reply and the address it came from. */
function ask(sock: Socket, port: number, text: string): Promise<{ body: string; from: string }> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no UDP reply in 3 s')), 3000);
    sock.once('message', (msg, r) => {
      clearTimeout(t);
      resolve({ body: msg.toString(), from: `${r.address}:${r.port}` });
    });
    sock.send(text, port, VIP);
  });
}

async function client(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
  return s;
}

const server = (body: string): string => body.split(' ')[0]!;

test('UDP: each client flow is scheduled once, keeps its server, and replies come from the VIP', async () => {
  const port = await freeUdpPort(VIP);
  const t = await startTandemListening(conf(port), 1);
  const clients = [await client(), await client(), await client(), await client()];
  try {
    const firsts: string[] = [];
    for (const [i, c] of clients.entries()) {
      const r1 = await ask(c, port, `hello ${i}`);
      assert.equal(r1.from, `${VIP}:${port}`);
      assert.match(r1.body, new RegExp(` hello ${i}$`));
      const r2 = await ask(c, port, `again ${i}`);
      assert.equal(server(r2.body), server(r1.body), 'a flow stays on its real server');
      firsts.push(server(r1.body));
    }
    assert.deepEqual(Object.values(tally(firsts)), [2, 2]);
  } finally {
    for (const c of clients) c.close();
    assert.equal(await t.stop(), 0);
  }
});

test('UDP: persistence keeps every flow of a client address on one server', async () => {
  const port = await freeUdpPort(VIP);
  const t = await startTandemListening(conf(port, '    persistence_timeout 60'), 1);
  const clients = [await client(), await client(), await client()];
  try {
    const seen: string[] = [];
    for (const c of clients) seen.push(server((await ask(c, port, 'x')).body));
    assert.equal(new Set(seen).size, 1, seen.join(', '));
  } finally {
    for (const c of clients) c.close();
    assert.equal(await t.stop(), 0);
  }
});
