// The namespace LAN the VRRP interop tests stand on: hosts reach each other over the bridge,
// IPv6 link-local addresses work at once (DAD off), the nftables VRRP block is in place and gone
// again, and namespaces never outlive their run: cleaned on SIGINT, swept after SIGKILL.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { createLan } from '../helpers/lan.js';
import { stopChild } from '../helpers/processes.js';
import { sweepStaleNamespaces } from '../helpers/netns.js';
import { requireRoot, requireTool } from '../helpers/tools.js';

const LAN_MODULE = new URL('../helpers/lan.js', import.meta.url).href;
const ECHO = `require('node:net').createServer((s) => s.end('hello'))
  .listen(7000, '::', () => console.log('ready'));`;
const CONNECT = `const s = require('node:net').connect({ host: process.argv[1], port: 7000 });
  s.setTimeout(1000, () => process.exit(1));
  s.pipe(process.stdout);`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('hosts talk over the bridge, IPv4 and IPv6 link-local', async (t) => {
  if (!requireRoot(t, 'network namespaces')) return;
  if (!requireTool(t, 'nft')) return;
  const lan = createLan(t, { hosts: ['a', 'b'], ipv6: true });
  const [a, b] = [lan.host('a'), lan.host('b')];
  assert.equal(a.ip, `${lan.subnet}.1`);
  assert.match(b.mac, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
  assert.equal(lan.hasAddress('a', a.ip), true);
  assert.equal(lan.hasAddress('a', b.ip), false);

  const server = lan.exec('b', [process.execPath, '-e', ECHO]);
  t.after(() => stopChild(server));
  for (let i = 0; i < 100 && !server.output().includes('ready'); i++) await sleep(20);
  const connect4 = await lan.run('a', [process.execPath, '-e', CONNECT, b.ip]);
  assert.equal(connect4.stdout, 'hello', connect4.stderr);
  assert.equal(lan.neigh('a', b.ip), b.mac);
  assert.equal(lan.neigh('a', lan.address(200)), undefined);
  // No DAD wait: b's link-local address accepts a connection right after setup.
  const connect6 = await lan.run('a', [process.execPath, '-e', CONNECT, `${b.ip6ll!}%eth0`]);
  assert.equal(connect6.stdout, 'hello', connect6.stderr);

  lan.blockVrrp('b');
  assert.match(lan.runSync('b', ['nft', 'list', 'ruleset']), /meta l4proto 112 drop|vrrp drop/);
  lan.unblockVrrp('b');
  assert.doesNotMatch(lan.runSync('b', ['nft', 'list', 'ruleset']), /tandemtest/);

  lan.unplug('b');
  const down = await lan.run('a', [process.execPath, '-e', CONNECT, b.ip]);
  assert.notEqual(down.code, 0);
  lan.plug('b');
});

test('segments: a host on two LANs gets eth1 in the second subnet, a host only there its eth0', async (t) => {
  if (!requireRoot(t, 'network namespaces')) return;
  const lan = createLan(t, { hosts: ['a', 'r'], segments: [['r', 'b']] });
  const [r, b] = [lan.host('r'), lan.host('b')];
  assert.notEqual(lan.subnets[1], lan.subnet);
  assert.deepEqual(
    r.interfaces.map((i) => [i.segment, i.ifname, i.ip]),
    [
      [0, 'eth0', lan.address(2)],
      [1, 'eth1', lan.address(1, 1)],
    ],
  );
  assert.equal(b.ip, lan.address(2, 1));
  assert.equal(lan.iface('b', 1).ifname, 'eth0');
  const server = lan.exec('r', [process.execPath, '-e', ECHO.replace("'::'", "'0.0.0.0'")]);
  t.after(() => stopChild(server));
  for (let i = 0; i < 100 && !server.output().includes('ready'); i++) await sleep(20);
  const reach = async (from: string, to: string): Promise<boolean> =>
    (await lan.run(from, [process.execPath, '-e', CONNECT, to])).stdout === 'hello';
  assert.equal(await reach('b', lan.address(1, 1)), true);
  assert.equal(await reach('a', r.ip), true);
  // The segments are apart: a has no route into the second subnet.
  assert.equal(await reach('a', lan.address(1, 1)), false);
  lan.unplug('r');
  assert.equal(await reach('b', lan.address(1, 1)), false);
  lan.plug('r');
});

/** Starts a Node process that builds a LAN and idles; resolves with it and the LAN's name. */
async function lanInChild(): Promise<{ child: ReturnType<typeof spawn>; lanNs: string }> {
  const script = `import { Lan } from ${JSON.stringify(LAN_MODULE)};
    const lan = Lan.create({ hosts: ['x'] });
    console.log(lan.lanNs);
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lanNs = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (c: Buffer) => resolve(c.toString('utf8').trim()));
    child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
  });
  return { child, lanNs };
}

const exited = (child: ReturnType<typeof spawn>): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

test('namespaces go away on SIGINT, and the sweeper removes those of a SIGKILLed run', async (t) => {
  if (!requireRoot(t, 'network namespaces')) return;
  const first = await lanInChild();
  t.after(() => first.child.kill('SIGKILL'));
  assert.equal(existsSync(`/run/netns/${first.lanNs}`), true);
  first.child.kill('SIGINT');
  await exited(first.child);
  assert.equal(existsSync(`/run/netns/${first.lanNs}`), false);

  const second = await lanInChild();
  t.after(() => second.child.kill('SIGKILL'));
  second.child.kill('SIGKILL');
  await exited(second.child);
  assert.equal(existsSync(`/run/netns/${second.lanNs}`), true, 'SIGKILL leaves it behind');
  const removed = sweepStaleNamespaces();
  assert.ok(removed.includes(second.lanNs), `swept ${removed.join(', ')}`);
  assert.equal(existsSync(`/run/netns/${second.lanNs}`), false);
});
