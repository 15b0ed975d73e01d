// The proxy data plane end to end: the real tandem binary, real HTTP real servers, real curl.
// Scheduling, persistence, failures, draining and removal as an operator would check them.

import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { closeFd, openListenSocket } from '../../src/sys/socket.js';
import { after, before, test } from 'node:test';
import { startTandemListening, type RunningTandem } from '../helpers/daemon.js';
import {
  curl,
  freePort,
  startHttpServer,
  tally,
  type HttpRealServer,
} from '../helpers/real-http.js';

const VIP = '127.0.41.1';
let rs: HttpRealServer[] = [];

before(async () => {
  rs = [await startHttpServer('127.0.41.2'), await startHttpServer('127.0.41.3')];
});
after(async () => {
  await Promise.all(rs.map((r) => r.stop()));
});

interface VsOptions {
  readonly sched?: string;
  readonly weights?: readonly number[];
  readonly extra?: string;
  readonly servers?: readonly HttpRealServer[];
}

function conf(port: number, o: VsOptions = {}): string {
  const servers = (o.servers ?? rs)
    .map(
      (r, i) =>
        `    real_server ${r.address} ${r.port} {\n        weight ${o.weights?.[i] ?? 1}\n    }`,
    )
    .join('\n');
  return `virtual_server ${VIP} ${port} {
    lb_algo ${o.sched ?? 'rr'}
    lb_kind NAT
    protocol TCP
${o.extra ?? ''}
${servers}
}
`;
}

async function requests(port: number, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await curl(`http://${VIP}:${port}/`));
  return out;
}

async function withTandem(
  text: string,
  fn: (t: RunningTandem) => Promise<void>,
  args: readonly string[] = [],
): Promise<void> {
  const t = await startTandemListening(text, 1, args);
  try {
    await fn(t);
  } finally {
    assert.equal(await t.stop(), 0, t.stderr());
  }
}

interface Held {
  readonly socket: Socket;
  /** The real server that answered (`rs ADDR:PORT`). */
  readonly server: string;
}

/** A long-lived connection through the VIP, and which real server holds it. */
function hold(port: number): Promise<Held> {
  return new Promise((resolve, reject) => {
    const s = connect(port, VIP, () => s.write('GET /hold HTTP/1.1\r\nHost: x\r\n\r\n'));
    let text = '';
    s.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /rs [\d.]+:\d+/.exec(text);
      if (m !== null) resolve({ socket: s, server: m[0] });
    });
    s.once('error', reject);
  });
}

function closed(s: Socket, timeoutMs = 3000): Promise<boolean> {
  if (s.destroyed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), timeoutMs);
    s.once('close', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

test('rr over two real servers splits 10 curl requests 5/5 (the seed documents’ test)', async () => {
  const port = await freePort(VIP);
  await withTandem(conf(port), async () => {
    assert.deepEqual(tally(await requests(port, 10)), { [rs[0]!.name]: 5, [rs[1]!.name]: 5 });
  });
});

test('wrr follows the weights 3:1', async () => {
  const port = await freePort(VIP);
  await withTandem(conf(port, { sched: 'wrr', weights: [3, 1] }), async () => {
    assert.deepEqual(tally(await requests(port, 8)), { [rs[0]!.name]: 6, [rs[1]!.name]: 2 });
  });
});

test('persistence pins a client to one real server', async () => {
  const port = await freePort(VIP);
  await withTandem(conf(port, { extra: '    persistence_timeout 50' }), async () => {
    const seen = tally(await requests(port, 10));
    assert.equal(Object.keys(seen).length, 1, JSON.stringify(seen));
  });
});

test('a stopped real server costs only the connections it held; its new connections fail fast', async () => {
  const port = await freePort(VIP);
  const a = await startHttpServer('127.0.41.4');
  const b = await startHttpServer('127.0.41.5');
  try {
    await withTandem(conf(port, { servers: [a, b] }), async () => {
      const held = [await hold(port), await hold(port)];
      const onA = held.find((h) => h.server === a.name)!.socket;
      const onB = held.find((h) => h.server === b.name)!.socket;
      await a.stop();
      assert.equal(await closed(onA), true, 'the connection held by the stopped server ends');
      assert.equal(await closed(onB, 300), false, 'the other real server’s connection survives');
      const started = performance.now();
      const replies = await requests(port, 4);
      assert.ok(performance.now() - started < 3000, 'refused connects fail promptly');
      // curl sees the reset as a failed connect (7) or a failed receive (56), by timing.
      const outcome = replies.map((r) => (/^ERR (7|56)$/.test(r) ? 'reset' : r));
      assert.deepEqual(tally(outcome), { [b.name]: 2, reset: 2 });
      onB.destroy();
    });
  } finally {
    await a.stop();
    await b.stop();
  }
});

test('weight 0 drains: held connections continue, new ones avoid the server', async () => {
  const port = await freePort(VIP);
  await withTandem(conf(port), async (t) => {
    const held = [await hold(port), await hold(port)];
    assert.deepEqual(held.map((h) => h.server).sort(), [rs[0]!.name, rs[1]!.name]);
    const r = await t.reload(conf(port, { weights: [0, 1] }));
    assert.equal(r.msg, 'reloaded');
    assert.deepEqual(tally(await requests(port, 4)), { [rs[1]!.name]: 4 });
    for (const h of held) assert.equal(await closed(h.socket, 200), false);
    const status = (await t.status()) as {
      services: { dests: { address: string; draining: boolean; activeConns: number }[] }[];
    };
    const dests = status.services[0]!.dests;
    assert.deepEqual(dests.map((d) => [d.address, d.draining]).sort(), [
      [rs[0]!.address, true],
      [rs[1]!.address, false],
    ]);
    for (const h of held) h.socket.destroy();
  });
});

for (const expire of [false, true]) {
  test(`removing a real server ${expire ? 'closes' : 'keeps'} its connections with expire_nodest_conn=${Number(expire)}`, async () => {
    const port = await freePort(VIP);
    const args = expire ? ['--sysctl', 'net.ipv4.vs.expire_nodest_conn=1'] : [];
    await withTandem(
      conf(port),
      async (t) => {
        const held = [await hold(port), await hold(port)];
        await t.reload(conf(port, { servers: [rs[1]!] }));
        const onA = held.find((h) => h.server === rs[0]!.name)!.socket;
        const onB = held.find((h) => h.server === rs[1]!.name)!.socket;
        assert.equal(await closed(onA, expire ? 3000 : 300), expire);
        assert.equal(await closed(onB, 100), false);
        for (const h of held) h.socket.destroy();
      },
      args,
    );
  });
}

test('a broken configuration on reload keeps the running one', async () => {
  const port = await freePort(VIP);
  await withTandem(conf(port), async (t) => {
    const r = await t.reload('virtual_server {\n');
    assert.match(r.msg, /reload failed/);
    assert.deepEqual(tally(await requests(port, 2)), { [rs[0]!.name]: 1, [rs[1]!.name]: 1 });
  });
});

test('a VIP this host does not hold yet is listened on at once (IP_FREEBIND), ready for failover', async () => {
  // 192.0.2.0/24 is TEST-NET-1: never local here; nothing is sent to it.
  const text = conf(18080).replace(
    `virtual_server ${VIP} 18080`,
    'virtual_server 192.0.2.77 18080',
  );
  await withTandem(text, async (t) => {
    const rec = await t.waitFor((r) => r.msg === 'listening');
    assert.equal(rec.address, '192.0.2.77');
  });
});

test('an idle connection is closed when its table entry times out (lvs_timeouts tcp)', async () => {
  const port = await freePort(VIP);
  const text = `global_defs {\n    lvs_timeouts tcp 1 tcpfin 1 udp 1\n}\n${conf(port)}`;
  await withTandem(text, async () => {
    const h = await hold(port);
    const started = performance.now();
    assert.equal(await closed(h.socket, 4000), true);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 900 && elapsed < 3500, `closed after ${Math.round(elapsed)} ms`);
  });
});

test('a real server that never answers costs the client a prompt reset after --connect-timeout', async () => {
  // A listener nobody accepts from, its queue full: further SYNs are dropped, connects hang.
  const deafPort = await freePort('127.0.41.6');
  const sock = openListenSocket({
    kind: 'tcp',
    family: 'inet',
    address: '127.0.41.6',
    port: deafPort,
    freebind: false,
    reusePort: false,
    backlog: 0,
  });
  assert.ok(sock.ok, 'raw listening socket');
  const fillers: Socket[] = [];
  for (let i = 0; i < 3; i++)
    fillers.push(connect(deafPort, '127.0.41.6').on('error', () => undefined));
  await new Promise((r) => setTimeout(r, 200));
  const port = await freePort(VIP);
  const deafRs = { address: '127.0.41.6', port: deafPort } as HttpRealServer;
  try {
    await withTandem(
      conf(port, { servers: [deafRs] }),
      async (t) => {
        const started = performance.now();
        const reply = await curl(`http://${VIP}:${port}/`);
        const elapsed = performance.now() - started;
        assert.match(reply, /^ERR (7|56)$/);
        assert.ok(elapsed >= 600 && elapsed < 2500, `reset after ${Math.round(elapsed)} ms`);
        const status = (await t.status()) as {
          services: { dests: { connectFailures: { timeout: number } }[] }[];
          proxy: { counters: { connectTimeout: number } };
        };
        assert.equal(status.proxy.counters.connectTimeout, 1);
        assert.equal(status.services[0]!.dests[0]!.connectFailures.timeout, 1);
      },
      ['--connect-timeout', '700'],
    );
  } finally {
    for (const f of fillers) f.destroy();
    closeFd(sock.fd);
  }
});

test('IPv6: a virtual server on ::1 balances to real servers on ::1 (freebind v6 listener)', async () => {
  const six = [await startHttpServer('::1'), await startHttpServer('::1')];
  const port = await freePort('::1');
  try {
    const text = `virtual_server ::1 ${port} {
    lb_algo rr
    lb_kind NAT
    protocol TCP
${six.map((r) => `    real_server ::1 ${r.port} {\n        weight 1\n    }`).join('\n')}
}
`;
    await withTandem(text, async (t) => {
      const replies: string[] = [];
      for (let i = 0; i < 4; i++) replies.push(await curl(`http://[::1]:${port}/`, '-g'));
      assert.deepEqual(tally(replies), { [six[0]!.name]: 2, [six[1]!.name]: 2 });
      const status = (await t.status()) as {
        table: { services: { family: string; stats: { conns: number } }[] };
      };
      assert.equal(status.table.services[0]?.family, 'inet6');
      assert.equal(status.table.services[0]?.stats.conns, 4);
    });
  } finally {
    for (const r of six) await r.stop();
  }
});
