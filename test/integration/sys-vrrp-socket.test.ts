// Raw VRRP sockets across a veth between two namespaces this test creates: multicast adverts
// arrive with the sender's address, the group as destination and TTL / hop limit 255, unicast
// honours unicast_ttl, the kernel fills the IPv6 checksum when asked. Plus the receive latency
// the uv_poll reader adds, measured on loopback against a Node UDP socket.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { after, before, describe, test, type TestContext } from 'node:test';
import { ipv6Bytes } from '../../src/lib/inet.js';
import { openVrrpSocket, type VrrpPacket } from '../../src/sys/vrrp-socket.js';
import { RawChild, vethPair, type ChildEvent, type VethPair } from '../helpers/raw-child.js';
import { requireRoot, requireTool } from '../helpers/tools.js';

// A plausible VRRPv2 advert: VRID 51, priority 100, one VIP 10.77.0.100, interval 1, no auth.
const V2 = '2133640100010000' + '0a4d0064' + '0000000000000000';
// A VRRPv3 IPv6 advert, checksum zero: VRID 51, priority 100, one VIP fe80::100, 100 cs.
const V3 = '3133640100640000' + 'fe800000000000000000000000000100';

function sum16(bytes: Uint8Array, start = 0): number {
  let s = start;
  for (let i = 0; i < bytes.length; i += 2) s += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** RFC 5798 §5.2.8 checksum over the IPv6 pseudo-header (RFC 8200 §8.1) and the message. */
function v3Checksum6(src: string, dst: string, msg: Uint8Array): number {
  const pseudo = new Uint8Array(40);
  pseudo.set(ipv6Bytes(src) ?? [], 0);
  pseudo.set(ipv6Bytes(dst) ?? [], 16);
  new DataView(pseudo.buffer).setUint32(32, msg.length);
  pseudo[39] = 112;
  const zeroed = Uint8Array.from(msg);
  zeroed[6] = 0;
  zeroed[7] = 0;
  return ~sum16(zeroed, sum16(pseudo)) & 0xffff;
}

const isPacket = (id: number) => (e: ChildEvent) => e.event === 'packet' && e.id === id;

describe('raw VRRP sockets between two namespaces', () => {
  let pair: VethPair | undefined;
  let a: RawChild | undefined;
  let b: RawChild | undefined;
  let skip: string | undefined;

  before(() => {
    if (process.getuid?.() !== 0) return;
    const p = vethPair('vr');
    if (typeof p === 'string') {
      if (process.env.CI === 'true') throw new Error(p);
      skip = p;
      return;
    }
    pair = p;
    a = new RawChild(p.nsA);
    b = new RawChild(p.nsB);
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    pair?.destroy();
  });

  const ready = (t: TestContext): boolean => {
    if (!requireRoot(t, 'raw sockets in network namespaces') || !requireTool(t, 'ip')) return false;
    if (skip !== undefined) t.skip(skip);
    return skip === undefined;
  };

  test('IPv4 multicast: 224.0.0.18, TTL 255, TOS 0xC0, DF clear', async (t) => {
    if (!ready(t) || pair === undefined || a === undefined || b === undefined) return;
    const tx = await a.request({
      op: 'open',
      spec: { family: 'inet', ifname: pair.ifA, source: '10.77.0.1', unicast: false },
    });
    // The receiver opens its socket as an instance does, with its own advert source: a raw
    // IPv4 socket bound to that address would see no datagram sent to 224.0.0.18.
    const rx = await b.request({
      op: 'open',
      spec: { family: 'inet', ifname: pair.ifB, source: '10.77.0.2', unicast: false },
    });
    assert.equal(tx.ok, true, JSON.stringify(tx));
    assert.equal(rx.ok, true, JSON.stringify(rx));
    assert.equal((await b.request({ op: 'recv', id: rx.id })).ok, true);
    const sent = await a.request({ op: 'send', id: tx.id, hex: V2, dst: '224.0.0.18' });
    assert.equal(sent.ok, true, JSON.stringify(sent));
    const p = (await b.waitFor(isPacket(rx.id as number))) as unknown as VrrpPacket & {
      bytes: string;
    };
    const ip = Buffer.from(p.bytes, 'hex');
    assert.equal(p.src, '10.77.0.1');
    assert.equal(p.dst, '224.0.0.18');
    assert.equal(p.hopLimit, 255);
    assert.equal(p.ifindex, rx.ifindex);
    assert.equal(ip[8], 255, 'TTL in the delivered header');
    assert.equal(ip[9], 112, 'protocol');
    assert.equal(ip[1], 0xc0, 'TOS');
    assert.equal(ip.readUInt16BE(6) & 0x4000, 0, 'DF clear');
    assert.equal(ip.subarray((ip[0]! & 15) * 4).toString('hex'), V2);
  });

  test('IPv4 unicast to a peer with unicast_ttl', async (t) => {
    if (!ready(t) || pair === undefined || a === undefined || b === undefined) return;
    const tx = await a.request({
      op: 'open',
      spec: { family: 'inet', source: '10.77.0.1', unicast: true, ttl: 64 },
    });
    const rx = await b.request({
      op: 'open',
      spec: { family: 'inet', ifname: pair.ifB, source: '10.77.0.2', unicast: true },
    });
    assert.equal(tx.ok && rx.ok, true);
    await b.request({ op: 'recv', id: rx.id });
    assert.equal((await a.request({ op: 'send', id: tx.id, hex: V2, dst: '10.77.0.2' })).ok, true);
    const p = await b.waitFor((e) => isPacket(rx.id as number)(e) && e.dst === '10.77.0.2');
    assert.equal(p.src, '10.77.0.1');
    assert.equal(p.hopLimit, 64);
  });

  test('IPv6 multicast from the link-local address to ff02::12, hop limit 255', async (t) => {
    if (!ready(t) || pair === undefined || a === undefined || b === undefined) return;
    const spec = { family: 'inet6', unicast: false, kernelChecksum: true };
    const tx = await a.request({
      op: 'open',
      spec: { ...spec, ifname: pair.ifA, source: 'fe80::a' },
    });
    const rx = await b.request({
      op: 'open',
      spec: { ...spec, ifname: pair.ifB, source: 'fe80::b' },
    });
    assert.equal(tx.ok, true, JSON.stringify(tx));
    assert.equal(rx.ok, true, JSON.stringify(rx));
    await b.request({ op: 'recv', id: rx.id });
    assert.equal((await a.request({ op: 'send', id: tx.id, hex: V3, dst: 'ff02::12' })).ok, true);
    const p = await b.waitFor(isPacket(rx.id as number));
    assert.equal(p.src, 'fe80::a');
    assert.equal(p.dst, 'ff02::12');
    assert.equal(p.hopLimit, 255);
    assert.equal(p.ifindex, rx.ifindex);
    const msg = Buffer.from(p.bytes as string, 'hex');
    assert.equal(msg.length, V3.length / 2, 'the VRRP message only, no IPv6 header');
    assert.equal(msg.readUInt16BE(6), v3Checksum6('fe80::a', 'ff02::12', msg), 'kernel checksum');
  });

  test('IPv6 unicast to the peer link-local address', async (t) => {
    if (!ready(t) || pair === undefined || a === undefined || b === undefined) return;
    const spec = { family: 'inet6', unicast: true, kernelChecksum: true };
    const tx = await a.request({
      op: 'open',
      spec: { ...spec, ifname: pair.ifA, source: 'fe80::a' },
    });
    const rx = await b.request({
      op: 'open',
      spec: { ...spec, ifname: pair.ifB, source: 'fe80::b' },
    });
    assert.equal(tx.ok && rx.ok, true);
    await b.request({ op: 'recv', id: rx.id });
    assert.equal((await a.request({ op: 'send', id: tx.id, hex: V3, dst: 'fe80::b' })).ok, true);
    const p = await b.waitFor((e) => isPacket(rx.id as number)(e) && e.dst === 'fe80::b');
    assert.equal(p.src, 'fe80::a');
    assert.equal(p.hopLimit, 255);
  });
});

describe('raw VRRP socket errors are values', () => {
  test('unknown interface, bad address', () => {
    const r = openVrrpSocket({ family: 'inet', ifname: 'nosuchif0', unicast: false });
    assert.deepEqual(r, { ok: false, code: 'ENODEV', syscall: 'if_nametoindex' });
    const bad = openVrrpSocket({ family: 'inet6', source: '10.0.0.1', unicast: true });
    assert.deepEqual(bad, { ok: false, code: 'EINVAL', syscall: 'inet_pton' });
  });

  test('without CAP_NET_RAW the answer is EPERM, not an exception', () => {
    if (process.getuid?.() !== 0) {
      const r = openVrrpSocket({ family: 'inet', unicast: true });
      assert.deepEqual(r, { ok: false, code: 'EPERM', syscall: 'socket' });
      return;
    }
    // As root, ask an unprivileged child (uid/gid 65534, nobody) to open one.
    const module = new URL('../../src/sys/vrrp-socket.js', import.meta.url).href;
    const script = `const m = await import(${JSON.stringify(module)});
      process.stdout.write(JSON.stringify(m.openVrrpSocket({ family: 'inet', unicast: true })));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      uid: 65534,
      gid: 65534,
      encoding: 'utf8',
      timeout: 10_000,
    });
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), { ok: false, code: 'EPERM', syscall: 'socket' });
  });
});

describe('receive latency of the uv_poll reader (loopback)', () => {
  test('raw socket vs Node UDP socket, send-to-callback', async (t) => {
    if (!requireRoot(t, 'raw sockets')) return;
    const N = 200;
    const tx = openVrrpSocket({ family: 'inet', unicast: true, source: '127.0.0.1' });
    const rx = openVrrpSocket({ family: 'inet', unicast: true, ifname: 'lo' });
    assert.ok(tx.ok && rx.ok);
    t.after(() => {
      tx.socket.close();
      rx.socket.close();
    });
    const payload = Buffer.from(V2, 'hex');
    const raw = await pingPong(N, (done) => {
      rx.socket.startReceiving((p) => {
        if (p.src === '127.0.0.1' && p.bytes.length === 20 + payload.length) done();
      });
      return () => tx.socket.send(payload, '127.0.0.1');
    });
    const udpRx = createSocket('udp4');
    const udpTx = createSocket('udp4');
    t.after(() => {
      udpRx.close();
      udpTx.close();
    });
    await new Promise<void>((r) => udpRx.bind(0, '127.0.0.1', () => r()));
    const port = udpRx.address().port;
    const udp = await pingPong(N, (done) => {
      udpRx.on('message', () => done());
      return () => udpTx.send(payload, port, '127.0.0.1');
    });
    t.diagnostic(
      `median send→callback µs: raw+uv_poll ${raw.toFixed(1)}, node dgram ${udp.toFixed(1)}`,
    );
    assert.ok(raw < 5000, `raw median ${raw} µs`);
  });
});

/** Median microseconds from send to receive callback over `n` sequential round trips. */
async function pingPong(n: number, setup: (done: () => void) => () => void): Promise<number> {
  const times: number[] = [];
  let resolveOne: (() => void) | undefined;
  const send = setup(() => resolveOne?.());
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const got = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`packet ${i} lost`)), 1000);
      resolveOne = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    send();
    await got;
    times.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  times.sort((x, y) => x - y);
  return times[Math.floor(n / 2)] ?? NaN;
}
