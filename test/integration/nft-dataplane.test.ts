// The nftables data plane in network namespaces with a real kernel: a client, a director running
// tandem --dataplane nft, and two real servers with Node HTTP servers. LVS-DR: the real servers
// hold the VIP on lo (`tandem realserver start`), curl alternates between them, and counters on
// the client (by source MAC) show the replies come straight from the real servers. A health
// change removes a server while a long-lived connection to the other one keeps working; that
// connection also outlives a refresh period (its flow entry rewritten with the next tag, 30 s in).
// The same with --nft-dr-stateless: no flow map, curls spread by hash, the held connection kept
// while the other server leaves. LVS-NAT:
// replies come back through the director (its MAC), conntrack counts show in tandemadm, and
// --nft-masquerade serves real servers that have no route back. Tables: a foreign table
// survives start and stop, a crashed daemon's tables are replaced by the next start, and a stop
// leaves none of tandem's behind.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLan, type Lan } from '../helpers/lan.js';
import { REPO, TANDEM } from '../helpers/paths.js';
import { stopChild, type Child } from '../helpers/processes.js';
import { TandemNode } from '../helpers/tandem-node.js';
import { requireRoot, requireTool } from '../helpers/tools.js';

const TANDEMADM = join(REPO, 'build', 'src', 'cli', 'main.js');
const HOSTS = ['client', 'dir', 'rs1', 'rs2'];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Answers every request with its host name; keep-alive, so one connection can carry several.
const SERVER = `
const [name] = process.argv.slice(1);
const s = require('node:http').createServer((req, res) => res.end(name + '\\n'));
s.keepAliveTimeout = 120000;
s.listen(80, '0.0.0.0', () => console.log('ready'));
`;

// One connection to VIP:80; a request at start and one more on every SIGUSR1.
const HOLDER = `
const [vip] = process.argv.slice(1);
const s = require('node:net').connect(80, vip);
const ask = () => s.write('GET / HTTP/1.1\\r\\nHost: vip\\r\\n\\r\\n');
s.on('connect', ask);
s.on('data', (d) => process.stdout.write(d.toString().split('\\r\\n\\r\\n').pop()));
s.on('close', () => { console.log('closed'); process.exit(0); });
process.on('SIGUSR1', ask);
`;

// One request from a fixed client port; the client closes only after the server's FIN, so the
// real server, not the client, keeps the TIME_WAIT (which a newer SYN ends) and the port can be
// reused at once. Prints the body, or what went wrong.
const FROM_PORT = `
const [vip, port] = process.argv.slice(1);
const s = require('node:net').connect({ host: vip, port: 80, localPort: Number(port) });
let text = '';
s.on('connect', () => s.write('GET / HTTP/1.1\\r\\nHost: vip\\r\\nConnection: close\\r\\n\\r\\n'));
s.on('data', (d) => (text += d.toString()));
s.on('close', () => process.stdout.write(text.split('\\r\\n\\r\\n').pop() ?? ''));
s.on('error', (e) => process.stdout.write(e.code ?? 'error'));
setTimeout(() => { process.stdout.write('timeout'); process.exit(0); }, 3000).unref();
`;

function ready(t: Parameters<typeof requireRoot>[0]): boolean {
  return (
    requireRoot(t, 'network namespaces and nftables') &&
    requireTool(t, 'nft') &&
    requireTool(t, 'curl')
  );
}

async function until<T>(
  what: string,
  fn: () => T | undefined | Promise<T | undefined>,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err; // not there yet (the daemon's socket, a table)
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
      );
    }
    await sleep(100);
  }
}

async function startServer(lan: Lan, host: string): Promise<Child> {
  const child = lan.exec(host, [process.execPath, '-e', SERVER, host]);
  await until(`http server on ${host}`, () =>
    child.output().includes('ready') ? true : undefined,
  );
  return child;
}

async function curlNames(lan: Lan, vip: string, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await lan.run('client', ['curl', '-s', '--max-time', '3', `http://${vip}/`], 5000);
    out.push(r.code === 0 ? r.stdout.trim() : `curl exit ${r.code}`);
  }
  return out;
}

function adm(lan: Lan, node: TandemNode, args: readonly string[]): string {
  return lan.runSync('dir', [
    process.execPath,
    TANDEMADM,
    '--control',
    join(node.dir, 'control.sock'),
    ...args,
  ]);
}

function chain(lan: Lan, name: string): string {
  return lan.runSync('dir', ['nft', 'list', 'chain', 'netdev', 'tandem_dr_eth0', name]);
}

function tables(lan: Lan, host = 'dir'): string[] {
  return lan
    .runSync(host, ['nft', 'list', 'tables'])
    .split('\n')
    .filter((l) => l.startsWith('table '))
    .map((l) => l.slice(6));
}

/** Counts packets from VIP:80 arriving at the client, by Ethernet source (which host sent them). */
function probeReplies(lan: Lan, vip: string): () => Record<string, number> {
  const names = ['dir', 'rs1', 'rs2'];
  const rules = [
    'table netdev replies {',
    ...names.map((n) => `  counter ${n} {}`),
    '  map bymac {',
    '    type ether_addr : counter',
    `    elements = { ${names.map((n) => `${lan.host(n).mac} : "${n}"`).join(', ')} }`,
    '  }',
    '  chain in {',
    '    type filter hook ingress device "eth0" priority 0; policy accept;',
    `    ip saddr ${vip} tcp sport 80 counter name ether saddr map @bymac`,
    '  }',
    '}',
    '',
  ].join('\n');
  lan.runSync('client', ['nft', '-f', '-'], rules);
  return () => {
    const json = JSON.parse(lan.runSync('client', ['nft', '-j', 'list', 'counters'])) as {
      nftables: { counter?: { name: string; packets: number } }[];
    };
    const out: Record<string, number> = {};
    for (const e of json.nftables) if (e.counter) out[e.counter.name] = e.counter.packets;
    return out;
  };
}

function config(vip: string, lan: Lan, kind: 'DR' | 'NAT'): string {
  const rs = (h: string): string => `  real_server ${lan.host(h).ip} 80 {
    weight 1
    TCP_CHECK {
      connect_timeout 1
      retry 1
      delay_before_retry 1
    }
  }`;
  return `virtual_server ${vip} 80 {
  delay_loop 1
  lb_algo rr
  lb_kind ${kind}
  protocol TCP
${rs('rs1')}
${rs('rs2')}
}
`;
}

/** Names and dests as tandemadm -L -n lists them, e.g. ['10.1.2.3:80 Route 1 0 2']. */
function listed(lan: Lan, node: TandemNode): string[] {
  return adm(lan, node, ['-L', '-n'])
    .split('\n')
    .filter((l) => l.startsWith('  -> ') && !l.includes('RemoteAddress'))
    .map((l) => l.slice(5).trim().replace(/\s+/g, ' '));
}

test('LVS-DR: curl alternates, replies bypass the director, a health change keeps other flows', async (t) => {
  await drScenario(t, false);
});

test('LVS-DR stateless (--nft-dr-stateless): hashed per flow, no flow map, a server leaving moves no other flow', async (t) => {
  await drScenario(t, true);
});

async function drScenario(t: Parameters<typeof requireRoot>[0], stateless: boolean): Promise<void> {
  if (!ready(t)) return;
  const lan = createLan(t, { hosts: HOSTS });
  const vip = lan.address(100);
  lan.runSync('dir', ['ip', 'addr', 'add', `${vip}/32`, 'dev', 'eth0']);
  const servers = new Map<string, Child>();
  for (const h of ['rs1', 'rs2']) {
    lan.runSync(h, [process.execPath, TANDEM, 'realserver', 'start', '--vip', vip]);
    servers.set(h, await startServer(lan, h));
  }
  t.after(async () => {
    for (const c of servers.values()) await stopChild(c, 1000);
  });
  const replies = probeReplies(lan, vip);
  const node = TandemNode.start(lan, 'dir', config(vip, lan, 'DR'), 'check', {
    dataplane: 'nft',
    ...(stateless ? { args: ['--nft-dr-stateless'] } : {}),
  });
  t.after(() => node.stop());
  await until('both real servers in the table', () =>
    listed(lan, node).length === 2 ? true : undefined,
  );
  assert.deepEqual(tables(lan), ['netdev tandem_dr_eth0']);
  const prefix = `s_tcp_${vip.replace(/\./g, '_')}_80`;
  const maps = lan.runSync('dir', ['nft', 'list', 'maps', 'netdev']);
  assert.equal(maps.includes('_flows {'), !stateless, stateless ? 'no flow map' : 'a flow map');

  // Strict rotation with a flow map; a hash of the client port without one (20 curls from
  // random ports all on one server: 2^-19).
  const n = stateless ? 20 : 10;
  const names = await curlNames(lan, vip, n);
  const per = (h: string): number => names.filter((x) => x === h).length;
  if (stateless) {
    assert.equal(per('rs1') + per('rs2'), n, names.join(' '));
    assert.ok(per('rs1') > 0 && per('rs2') > 0, names.join(' '));
  } else {
    assert.deepEqual([per('rs1'), per('rs2')], [5, 5], names.join(' '));
    for (let i = 1; i < n; i++) assert.notEqual(names[i], names[i - 1], names.join(' '));
  }
  const seen = replies();
  assert.ok((seen.rs1 ?? 0) > 0 && (seen.rs2 ?? 0) > 0, JSON.stringify(seen));
  assert.equal(seen.dir, 0, 'no reply came through the director');

  // The kernel's counters reach tandemadm: packets in, none out (DR), one connection per curl
  // (counted on its SYN).
  const stats = await until('counters in tandemadm', () => {
    const rows = adm(lan, node, ['-L', '-n', '--stats'])
      .split('\n')
      .filter((l) => l.startsWith('  -> ') && !l.includes('RemoteAddress'))
      .map((l) => l.trim().split(/\s+/));
    const conns = (h: string): string =>
      rows.find((r) => r[1]?.startsWith(`${lan.host(h).ip}:`) === true)?.[2] ?? '';
    return rows.length === 2 &&
      conns('rs1') === String(per('rs1')) &&
      conns('rs2') === String(per('rs2'))
      ? rows
      : undefined;
  });
  for (const r of stats) {
    assert.ok(Number(r[3]) >= 3 * Number(r[2]), `InPkts ${r.join(' ')}`);
    assert.equal(r[4], '0', 'OutPkts: DR replies never pass the director');
  }

  const viaPort = async (port: number): Promise<string> =>
    (
      await lan.run('client', [process.execPath, '-e', FROM_PORT, vip, String(port)], 5000)
    ).stdout.trim();
  let reusedPort = 0;
  if (!stateless) {
    // Every curl closed its connection with a FIN through the director: its entry now has the
    // tcpfin timeout, which the plane counts as inactive, as IPVS counts DR flows in FIN_WAIT.
    const counts = (h: string): string | undefined =>
      listed(lan, node)
        .find((r) => r.startsWith(`${lan.host(h).ip}:`))
        ?.split(' ')
        .slice(3)
        .join(' ');
    await until('closed flows counted inactive', () =>
      counts('rs1') === `0 ${per('rs1')}` && counts('rs2') === `0 ${per('rs2')}` ? true : undefined,
    );
    // A client port reused while its entry lives goes to the same real server (IPVS in DR with
    // its default conn_reuse_mode=1 reschedules only TIME_WAIT and CLOSE, never FIN_WAIT).
    for (let port = 41001; port < 41005; port++) {
      const a = await viaPort(port);
      assert.match(a, /^rs[12]$/);
      assert.equal(await viaPort(port), a, `port ${port} reused`);
      reusedPort = port;
    }
  }

  // A long-lived connection on one server; the other one fails its check and leaves.
  const holder = lan.exec('client', [process.execPath, '-e', HOLDER, vip]);
  t.after(() => stopChild(holder, 500));
  const first = await until('the held connection answered', () => {
    const m = /rs[12]/.exec(holder.output());
    return m?.[0];
  });
  if (!stateless) {
    // The daemon moves the refresh tag on after 30 s (its clock starts with it); the held flow's
    // next packet rewrites its entry with the new tag, and the connection goes on.
    const flows = (): string =>
      lan.runSync('dir', ['nft', 'list', 'map', 'netdev', 'tandem_dr_eth0', `${prefix}_flows`]);
    assert.match(flows(), /: 0x01[0-9a-f]{6}/);
    await until(
      'a new refresh period',
      () => (chain(lan, 'refresh_tag').includes('0x02000000') ? true : undefined),
      40_000,
    );
    holder.proc.kill('SIGUSR1');
    await until('the held connection answered in the new period', () =>
      holder
        .output()
        .split('\n')
        .filter((l) => l === first).length === 2
        ? true
        : undefined,
    );
    assert.match(flows(), /: 0x02[0-9a-f]{6}/);
  }
  const asked = stateless ? 1 : 2;
  const other = first === 'rs1' ? 'rs2' : 'rs1';
  // A client port whose entry names the server about to leave (rr alternates: one of two).
  let toOther = 0;
  if (!stateless) {
    for (let port = reusedPort + 1; port < reusedPort + 4 && toOther === 0; port++) {
      if ((await viaPort(port)) === other) toOther = port;
    }
    assert.notEqual(toOther, 0, `no flow went to ${other}`);
  }
  await stopChild(servers.get(other)!, 1000);
  await until(`${other} removed by its checker`, () => {
    const l = listed(lan, node);
    return l.length === 1 && l[0]?.startsWith(lan.host(first).ip) === true ? true : undefined;
  });
  holder.proc.kill('SIGUSR1');
  await until('the held connection answered again', () =>
    holder
      .output()
      .split('\n')
      .filter((l) => l === first).length ===
    asked + 1
      ? true
      : undefined,
  );
  assert.doesNotMatch(holder.output(), /closed/);
  assert.deepEqual(await curlNames(lan, vip, 4), Array<string>(4).fill(first));
  if (!stateless) {
    // That port's entry still names the server that left: its next SYN is scheduled afresh
    // rather than dropped until the entry expires (IPVS would need expire_nodest_conn=1).
    assert.equal(await viaPort(toOther), first, `port ${toOther} rescheduled`);
  }

  await node.stop();
  assert.deepEqual(tables(lan), [], 'stop removes the tables');
}

test('LVS-NAT: replies through the director, conntrack counts, masquerade', async (t) => {
  if (!ready(t)) return;
  const lan = createLan(t, { hosts: HOSTS });
  const vip = lan.address(100);
  lan.runSync('dir', ['ip', 'addr', 'add', `${vip}/32`, 'dev', 'eth0']);
  const forward = (): string => lan.runSync('dir', ['sysctl', '-n', 'net.ipv4.ip_forward']).trim();
  assert.equal(forward(), '0');
  const servers: Child[] = [];
  for (const h of ['rs1', 'rs2']) {
    // The real servers answer the client through the director, as LVS-NAT needs.
    lan.runSync(h, [
      'ip',
      'route',
      'add',
      `${lan.host('client').ip}/32`,
      'via',
      lan.host('dir').ip,
    ]);
    servers.push(await startServer(lan, h));
  }
  t.after(async () => {
    for (const c of servers) await stopChild(c, 1000);
  });
  const replies = probeReplies(lan, vip);
  let node = TandemNode.start(lan, 'dir', config(vip, lan, 'NAT'), 'check', { dataplane: 'nft' });
  t.after(() => node.stop());
  await until('both real servers in the table', () =>
    listed(lan, node).length === 2 ? true : undefined,
  );
  assert.deepEqual(tables(lan), ['inet tandem_nat']);
  assert.equal(forward(), '1', 'NAT turns forwarding on');

  const names = await curlNames(lan, vip, 6);
  for (let i = 1; i < names.length; i++) assert.notEqual(names[i], names[i - 1], names.join(' '));
  assert.ok(
    names.every((n) => n === 'rs1' || n === 'rs2'),
    names.join(' '),
  );
  const seen = replies();
  assert.ok((seen.dir ?? 0) > 0, JSON.stringify(seen));
  assert.equal((seen.rs1 ?? 0) + (seen.rs2 ?? 0), 0, 'every reply came through the director');

  // A held connection is ESTABLISHED in conntrack: ActiveConn 1 on its real server.
  const holder = lan.exec('client', [process.execPath, '-e', HOLDER, vip]);
  t.after(() => stopChild(holder, 500));
  const on = await until('the held connection answered', () => /rs[12]/.exec(holder.output())?.[0]);
  await until('ActiveConn from conntrack', () =>
    listed(lan, node).some((l) => l === `${lan.host(on).ip}:80 Masq 1 1 ${l.split(' ')[4]}`)
      ? true
      : undefined,
  );
  const stats = adm(lan, node, ['-L', '-n', '--stats']);
  const outPkts = stats
    .split('\n')
    .filter((l) => l.startsWith('  -> '))
    .map((l) => Number(l.trim().split(/\s+/)[4]));
  assert.ok(
    outPkts.some((n) => n > 0),
    `NAT counts replies (OutPkts):\n${stats}`,
  );
  await stopChild(holder, 500);

  // Masquerade: the real servers lose their route back; the director rewrites the source.
  await node.stop();
  assert.equal(forward(), '0', 'stop puts forwarding back');
  for (const h of ['rs1', 'rs2']) {
    lan.runSync(h, ['ip', 'route', 'del', `${lan.host('client').ip}/32`]);
  }
  node = TandemNode.start(lan, 'dir', config(vip, lan, 'NAT'), 'check', {
    dataplane: 'nft',
    args: ['--nft-masquerade'],
  });
  await until('both real servers in the table', () =>
    listed(lan, node).length === 2 ? true : undefined,
  );
  const masq = await curlNames(lan, vip, 4);
  assert.deepEqual(masq.slice().sort(), ['rs1', 'rs1', 'rs2', 'rs2']);
});

test('tables: foreign ones untouched, a crashed daemon’s replaced, none left after stop', async (t) => {
  if (!ready(t)) return;
  const lan = createLan(t, { hosts: HOSTS });
  const vip = lan.address(100);
  lan.runSync('dir', ['ip', 'addr', 'add', `${vip}/32`, 'dev', 'eth0']);
  const servers: Child[] = [];
  for (const h of ['rs1', 'rs2']) {
    lan.runSync(h, [process.execPath, TANDEM, 'realserver', 'start', '--vip', vip]);
    servers.push(await startServer(lan, h));
  }
  t.after(async () => {
    for (const c of servers) await stopChild(c, 1000);
  });
  const foreign = [
    'table inet foreign {',
    '  chain input { type filter hook input priority 10; policy accept; counter; }',
    '}',
    'table netdev tandem_dr_gone {',
    '}',
    '',
  ].join('\n');
  lan.runSync('dir', ['nft', '-f', '-'], foreign);
  const conf = config(vip, lan, 'DR');
  let node = TandemNode.start(lan, 'dir', conf, 'check', { dataplane: 'nft' });
  t.after(() => node.stop());
  await until('tables replaced', () =>
    tables(lan).join(',') === 'inet foreign,netdev tandem_dr_eth0' ? true : undefined,
  );
  await node.kill();
  assert.deepEqual(tables(lan), ['inet foreign', 'netdev tandem_dr_eth0'], 'a crash leaves them');
  node = TandemNode.start(lan, 'dir', conf, 'check', { dataplane: 'nft' });
  await until('both real servers in the table', () =>
    listed(lan, node).length === 2 ? true : undefined,
  );
  await until('the restarted daemon forwards', async () => {
    const names = await curlNames(lan, vip, 2);
    return names.slice().sort().join() === 'rs1,rs2' ? true : undefined;
  });
  assert.deepEqual(tables(lan), ['inet foreign', 'netdev tandem_dr_eth0']);
  await node.stop();
  assert.deepEqual(tables(lan), ['inet foreign']);
  assert.match(lan.runSync('dir', ['nft', 'list', 'table', 'inet', 'foreign']), /counter packets/);
});
