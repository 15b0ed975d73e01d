// Gratuitous ARP and unsolicited NA across a veth between two namespaces this test creates: a
// GARP from A puts the VIP with A's MAC into B's neighbour table (B has arp_accept=1, without
// which Linux only updates entries it already has), and tcpdump in B sees A's NA with hop limit
// 255, Override (+Router), the target and its link-layer option, and a checksum the kernel filled.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test, type TestContext } from 'node:test';
import { sendGratuitousArp } from '../../src/sys/garp.js';
import { RawChild, vethPair, type VethPair } from '../helpers/raw-child.js';
import { requireRoot, requireTool } from '../helpers/tools.js';

describe('gratuitous ARP and unsolicited NA between two namespaces', () => {
  let pair: VethPair | undefined;
  let a: RawChild | undefined;
  let skip: string | undefined;

  before(() => {
    if (process.getuid?.() !== 0) return;
    const p = vethPair('ga');
    if (typeof p === 'string') {
      if (process.env.CI === 'true') throw new Error(p);
      skip = p;
      return;
    }
    pair = p;
    a = new RawChild(p.nsA);
  });
  after(async () => {
    await a?.stop();
    pair?.destroy();
  });

  const ready = (t: TestContext): boolean => {
    if (!requireRoot(t, 'packet sockets in network namespaces') || !requireTool(t, 'ip')) {
      return false;
    }
    if (skip !== undefined) t.skip(skip);
    return skip === undefined;
  };

  test('GARP from A teaches B the VIP at A’s MAC', async (t) => {
    if (!ready(t) || pair === undefined || a === undefined) return;
    const { nsB, ifB, sh } = pair;
    assert.ok(sh(`ip netns exec ${nsB} sysctl -qw net.ipv4.conf.all.arp_accept=1`).ok);
    assert.ok(sh(`ip netns exec ${nsB} sysctl -qw net.ipv4.conf.${ifB}.arp_accept=1`).ok);
    const r = await a.request({ op: 'garp', ifname: pair.ifA, ip: '10.77.0.100', count: 3 });
    assert.equal(r.ok, true, JSON.stringify(r));
    const mac = r.mac as string;
    let neigh = '';
    for (let i = 0; i < 40 && !neigh.includes(mac); i++) {
      neigh = sh(`ip -n ${nsB} neigh show 10.77.0.100 dev ${ifB}`).out;
      if (!neigh.includes(mac)) await new Promise((res) => setTimeout(res, 50));
    }
    assert.match(neigh, new RegExp(`10\\.77\\.0\\.100 lladdr ${mac}`));
  });

  test('unsolicited NA from A, as tcpdump in B sees it', async (t) => {
    if (!ready(t) || !requireTool(t, 'tcpdump') || pair === undefined || a === undefined) return;
    const dump = spawn(
      'ip',
      [
        'netns',
        'exec',
        pair.nsB,
        'tcpdump',
        '-i',
        pair.ifB,
        '-n',
        '-l',
        '-vv',
        '-c',
        '1',
        'icmp6 and ip6[40] == 136',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    t.after(() => dump.kill('SIGKILL'));
    let out = '';
    let err = '';
    dump.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((res) => dump.once('exit', () => res()));
    await new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`tcpdump did not start: ${err}`)), 5000);
      dump.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('listening on')) {
          clearTimeout(timer);
          res();
        }
      });
    });
    const r = await a.request({ op: 'na', ifname: pair.ifA, ip: 'fd00:77::100', router: true });
    assert.equal(r.ok, true, JSON.stringify(r));
    await Promise.race([exited, new Promise((res) => setTimeout(res, 3000))]);
    assert.match(out, /fe80::a > ff02::1: \[icmp6 sum ok\]/);
    assert.match(out, /hlim 255/);
    assert.match(
      out,
      /neighbor advertisement, length 32, tgt is fd00:77::100, Flags \[router, override\]/,
    );
    assert.match(
      out,
      new RegExp(`destination link-address option \\(2\\), length 8 \\(1\\): ${r.mac as string}`),
    );
  });

  test('an unknown interface is a value', async () => {
    assert.equal(await sendGratuitousArp('nosuchif0', '10.0.0.1'), 'ENODEV');
  });
});
