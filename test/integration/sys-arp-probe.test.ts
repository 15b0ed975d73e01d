// probeArp on a real link: three namespaces on a bridge (itself in a fourth namespace), probing
// from A. B holds the "VIP"; an unused address stays silent for the whole window; when A holds the
// VIP too only B answers (the local kernel never sees what the AF_PACKET socket transmits); when
// C also holds it, both MACs are listed. The child's setInterval keeps ticking during the probes.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { probeArp } from '../../src/sys/arp-probe.js';
import { REPO } from '../helpers/paths.js';
import { requireRoot, requireTool } from '../helpers/tools.js';

const CHILD = join(REPO, 'build', 'test', 'helpers', 'arp-probe-child.js');
const NET = '10.201.7';

function sh(cmd: string): { status: number | null; out: string } {
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

interface ChildLine {
  target: string;
  result: { ok: true; macs: string[] } | { ok: false; code: string; syscall: string };
  elapsedMs: number;
  maxLagMs: number;
  ticks: number;
}

describe('probeArp', { timeout: 30_000 }, () => {
  test('refuses what it cannot probe, as values', async () => {
    assert.deepEqual(
      await probeArp({ ifname: 'nosuchif0', target: '10.0.0.1', source: '10.0.0.2', timeoutMs: 1 }),
      { ok: false, code: 'ENODEV', syscall: 'sysfs' },
    );
    assert.deepEqual(
      await probeArp({ ifname: '../lo', target: '10.0.0.1', source: '10.0.0.2', timeoutMs: 1 }),
      { ok: false, code: 'EINVAL', syscall: 'sysfs' },
    );
    // Loopback has no Ethernet header (ARPHRD_LOOPBACK): nothing to ask ARP on.
    assert.deepEqual(
      await probeArp({ ifname: 'lo', target: '127.0.0.2', source: '127.0.0.1', timeoutMs: 1 }),
      { ok: false, code: 'EOPNOTSUPP', syscall: 'sysfs' },
    );
  });

  test('namespaces on a bridge: who answers for the VIP', async (t) => {
    if (!requireTool(t, 'ip') || !requireTool(t, 'tcpdump')) return;
    if (!requireRoot(t, 'creating network namespaces and AF_PACKET sockets')) return;
    const tag = `${process.pid % 100000}-${Math.floor(Math.random() * 1000)}`;
    const ns = { a: `tandem-arpA-${tag}`, b: `tandem-arpB-${tag}`, c: `tandem-arpC-${tag}` };
    const br = `tandem-arpBR-${tag}`;
    t.after(() =>
      sh(`for n in ${ns.a} ${ns.b} ${ns.c} ${br}; do ip netns del $n 2>/dev/null; done`),
    );
    const port = (n: string, peer: string, addr: string): string[] => [
      `ip netns add ${n}`,
      `ip -n ${n} link add eth0 type veth peer name ${peer} netns ${br}`,
      `ip -n ${br} link set ${peer} master br0 up`,
      `ip -n ${n} addr add ${addr}/24 dev eth0`,
      `ip -n ${n} link set eth0 up`,
    ];
    const setup = sh(
      [
        `ip netns add ${br}`,
        `ip -n ${br} link add br0 type bridge`,
        `ip -n ${br} link set br0 up`,
        ...port(ns.a, 'pa', `${NET}.1`),
        ...port(ns.b, 'pb', `${NET}.2`),
        ...port(ns.c, 'pc', `${NET}.3`),
        `ip -n ${ns.b} addr add ${NET}.100/24 dev eth0`,
      ].join(' && '),
    );
    if (setup.status !== 0) {
      if (process.env.CI === 'true') throw new Error(`netns setup failed: ${setup.out}`);
      t.skip(`cannot create network namespaces here: ${setup.out.trim()}`);
      return;
    }
    const mac = (n: string): string => {
      const r = sh(`ip -n ${n} -j link show eth0`);
      return (JSON.parse(r.out) as { address: string }[])[0]?.address ?? '';
    };
    const macB = mac(ns.b);
    const macC = mac(ns.c);
    const probe = (targets: string[], timeoutMs = 300): ChildLine[] => {
      const reqs = targets.map((target) => ({
        ifname: 'eth0',
        target,
        source: `${NET}.1`,
        timeoutMs,
      }));
      const r = spawnSync(
        'ip',
        [
          'netns',
          'exec',
          ns.a,
          process.execPath,
          '--enable-source-maps',
          CHILD,
          JSON.stringify(reqs),
        ],
        { encoding: 'utf8', timeout: 10_000 },
      );
      assert.equal(r.status, 0, r.stderr);
      return r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as ChildLine);
    };

    const [held, unused] = probe([`${NET}.100`, `${NET}.55`], 500);
    assert.deepEqual(held?.result, { ok: true, macs: [macB] });
    assert.deepEqual(unused?.result, { ok: true, macs: [] });
    for (const line of [held, unused]) {
      assert.ok(line);
      // The whole window is waited for, and a 10 ms timer kept ticking meanwhile.
      assert.ok(line.elapsedMs >= 495 && line.elapsedMs < 1500, `elapsed ${line.elapsedMs}`);
      assert.ok(line.ticks >= 25, `only ${line.ticks} ticks in ${line.elapsedMs} ms`);
      assert.ok(line.maxLagMs < 100, `event loop lag ${line.maxLagMs} ms`);
      t.diagnostic(
        `${line.target}: ${line.elapsedMs.toFixed(0)} ms, ${line.ticks} ticks, max lag ${line.maxLagMs.toFixed(1)} ms`,
      );
    }

    // Split brain: A holds the VIP as well. Only B answers: A's kernel never receives the request
    // its AF_PACKET socket transmits, so it sends no reply of its own (checked on the wire, since
    // probeArp would hide one from our own MAC anyway).
    assert.equal(sh(`ip -n ${ns.a} addr add ${NET}.100/24 dev eth0`).status, 0);
    const macA = mac(ns.a);
    const dump = spawn(
      'ip',
      ['netns', 'exec', ns.a, 'tcpdump', '-i', 'eth0', '-nn', '-e', '-l', 'arp'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    t.after(() => dump.kill('SIGKILL'));
    let wire = '';
    dump.stdout.setEncoding('utf8').on('data', (s: string) => (wire += s));
    let banner = '';
    const listening = new Promise<void>((resolve) => {
      dump.stderr.setEncoding('utf8').on('data', (s: string) => {
        banner += s;
        if (banner.includes('listening on')) resolve();
      });
      dump.on('exit', () => resolve());
      setTimeout(resolve, 5000).unref();
    });
    await listening;
    assert.match(banner, /listening on/);
    assert.deepEqual(probe([`${NET}.100`])[0]?.result, { ok: true, macs: [macB] });
    dump.kill('SIGINT');
    await once(dump, 'exit');
    assert.match(wire, new RegExp(`Reply ${NET}\\.100 is-at ${macB}`));
    assert.doesNotMatch(wire, new RegExp(`is-at ${macA}`));

    // A third holder: both others are listed.
    assert.equal(sh(`ip -n ${ns.c} addr add ${NET}.100/24 dev eth0`).status, 0);
    const three = probe([`${NET}.100`])[0]?.result;
    assert.ok(three?.ok);
    assert.deepEqual([...three.macs].sort(), [macB, macC].sort());

    // B lets go: only C is left.
    assert.equal(sh(`ip -n ${ns.b} addr del ${NET}.100/24 dev eth0`).status, 0);
    assert.deepEqual(probe([`${NET}.100`])[0]?.result, { ok: true, macs: [macC] });
  });
});
