// rtnetlink against a real kernel, inside a network namespace this test creates (with a veth
// pair) and deletes: a child process runs in the namespace (`ip netns exec`) and answers JSON
// lines, and `ip -n NS` output is the reference the results are compared with.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { REPO } from '../helpers/paths.js';
import { requireRoot, requireTool } from '../helpers/tools.js';

interface Event {
  readonly event: Record<string, unknown>;
  readonly at: number;
}

// Results cross the process boundary as JSON.
interface Json {
  readonly ok?: boolean;
  readonly code?: string;
  readonly word?: string;
  readonly value?: unknown;
}
interface LinkJ {
  readonly ifindex: number;
  readonly ifname: string;
  readonly up: boolean;
  readonly mtu: number;
  readonly mac: string;
}
interface AddrJ {
  readonly address: string;
  readonly prefixLength: number;
  readonly label?: string;
  readonly scope: string;
  readonly broadcast?: string;
  readonly preferredLft: number | 'forever';
  readonly flags: readonly string[];
}

function sh(cmd: string): { status: number | null; out: string } {
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function startChild(ns: string): {
  call: (op: string, arg?: unknown) => Promise<Json>;
  nextEvent: (pred: (e: Event) => boolean, ms: number) => Promise<Event | undefined>;
  stop: () => void;
} {
  const child = join(REPO, 'build', 'test', 'helpers', 'netlink-child.js');
  const proc = spawn('ip', ['netns', 'exec', ns, process.execPath, child], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const pending = new Map<number, (v: Json) => void>();
  const events: Event[] = [];
  let wake: (() => void) | undefined;
  createInterface({ input: proc.stdout }).on('line', (line) => {
    const msg = JSON.parse(line) as { id?: number; result?: Json } & Partial<Event>;
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result ?? {});
    else if (msg.event !== undefined) {
      events.push({ event: msg.event, at: msg.at ?? 0 });
      wake?.();
    }
  });
  let seq = 0;
  return {
    call: (op, arg) =>
      new Promise((resolve, reject) => {
        const id = ++seq;
        const timer = setTimeout(() => reject(new Error(`${op}: no answer`)), 5000);
        pending.set(id, (v) => {
          clearTimeout(timer);
          resolve(v);
        });
        proc.stdin.write(`${JSON.stringify({ id, op, arg })}\n`);
      }),
    // The first event (queued or arriving within `ms`) that matches; earlier ones are dropped.
    nextEvent: async (pred, ms) => {
      const deadline = Date.now() + ms;
      for (;;) {
        while (events.length > 0) {
          const e = events.shift();
          if (e !== undefined && pred(e)) return e;
        }
        const left = deadline - Date.now();
        if (left <= 0) return undefined;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    },
    stop: () => {
      proc.stdin.end();
      proc.kill();
    },
  };
}

test('rtnetlink in a namespace: addresses, links, routes, monitor', async (t) => {
  if (!requireRoot(t, 'creates a network namespace') || !requireTool(t, 'ip')) return;
  const ns = `tnl${process.pid}${randomBytes(2).toString('hex')}`;
  const setup = sh(
    [
      `ip netns add ${ns}`,
      `ip -n ${ns} link add v0 type veth peer name v1`,
      `ip -n ${ns} link set v0 up`,
      `ip -n ${ns} link set v1 up`,
    ].join(' && '),
  );
  t.after(() => sh(`ip netns del ${ns} 2>/dev/null`));
  if (setup.status !== 0) {
    if (process.env.CI === 'true') throw new Error(`netns setup failed: ${setup.out}`);
    t.skip(`cannot create a network namespace here: ${setup.out.trim()}`);
    return;
  }
  const child = startChild(ns);
  t.after(() => child.stop());
  const ipo = (args: string): string => sh(`ip -n ${ns} -o ${args}`).out;

  await t.test('links: list, get by name, ENODEV', async () => {
    const links = await child.call('listLinks');
    assert.equal(links.ok, true);
    const names = (links.value as LinkJ[]).map((l) => l.ifname).sort();
    assert.deepEqual(names, ['lo', 'v0', 'v1']);
    const got = await child.call('getLink', 'v0');
    assert.equal(got.ok, true);
    const v0 = got.value as LinkJ;
    assert.equal(v0.up, true);
    assert.equal(v0.mtu, 1500);
    const line = ipo('link show dev v0');
    assert.match(line, new RegExp(`^${v0.ifindex}: v0@v1: .*link/ether ${v0.mac} `));
    assert.equal((await child.call('getLink', 'nope0')).code, 'ENODEV');
  });

  await t.test('IPv4 VIP with label, broadcast and scope; EEXIST; EADDRNOTAVAIL', async () => {
    const vip = {
      ifname: 'v0',
      family: 'inet',
      address: '10.77.0.10',
      prefixLength: 24,
      label: 'v0:1',
      broadcast: '+',
      scope: 'global',
    };
    assert.deepEqual(await child.call('addAddress', vip), { ok: true });
    const again = await child.call('addAddress', vip);
    assert.equal(again.code, 'EEXIST');
    const hostVip = { ifname: 'v0', family: 'inet', address: '10.77.1.1', prefixLength: 32 };
    assert.deepEqual(await child.call('addAddress', { ...hostVip, scope: 'link' }), { ok: true });
    const lines = ipo('-4 addr show dev v0');
    assert.match(lines, /inet 10\.77\.0\.10\/24 brd 10\.77\.0\.255 scope global v0:1\\/);
    assert.match(lines, /inet 10\.77\.1\.1\/32 scope link v0\\/);
    const listed = await child.call('listAddresses', { ifname: 'v0', family: 'inet' });
    assert.deepEqual(
      (listed.value as AddrJ[])
        .map((a) => [a.address, a.prefixLength, a.label, a.scope, a.broadcast])
        .sort(),
      [
        ['10.77.0.10', 24, 'v0:1', 'global', '10.77.0.255'],
        ['10.77.1.1', 32, 'v0', 'link', undefined],
      ],
    );
    assert.deepEqual(await child.call('deleteAddress', hostVip), { ok: true });
    assert.equal((await child.call('deleteAddress', hostVip)).code, 'EADDRNOTAVAIL');
    assert.doesNotMatch(ipo('-4 addr show dev v0'), /10\.77\.1\.1/);
  });

  await t.test('IPv6 /128 VIP is deprecated unless forever; nodad, noprefixroute', async () => {
    const base = { ifname: 'v0', family: 'inet6', prefixLength: 128, nodad: true };
    assert.deepEqual(await child.call('addAddress', { ...base, address: 'fd00:77::10' }), {
      ok: true,
    });
    const forever = { ...base, address: 'fd00:77::11', preferredLft: 'forever' };
    assert.deepEqual(await child.call('addAddress', forever), { ok: true });
    const net = { ifname: 'v0', family: 'inet6', address: 'fd00:78::1', prefixLength: 64 };
    assert.deepEqual(await child.call('addAddress', { ...net, noprefixroute: true }), { ok: true });
    const lines = ipo('-6 addr show dev v0');
    assert.match(lines, /inet6 fd00:77::10\/128 scope global nodad deprecated.*preferred_lft 0sec/);
    assert.match(lines, /inet6 fd00:77::11\/128 scope global nodad \\.*preferred_lft forever/);
    assert.match(lines, /inet6 fd00:78::1\/64 scope global tentative noprefixroute/);
    assert.doesNotMatch(ipo('-6 route show dev v0'), /fd00:78::\/64/);
    const listed = await child.call('listAddresses', { ifname: 'v0', family: 'inet6' });
    const vip = (listed.value as AddrJ[]).find((a) => a.address === 'fd00:77::10');
    assert.deepEqual([vip?.preferredLft, vip?.flags], [0, ['nodad', 'deprecated', 'permanent']]);
    assert.equal(
      (await child.call('addAddress', { ...base, address: 'fd00:77::10' })).code,
      'EEXIST',
    );
    for (const a of ['fd00:77::10', 'fd00:77::11'])
      assert.deepEqual(await child.call('deleteAddress', { ...base, address: a }), { ok: true });
    assert.deepEqual(await child.call('deleteAddress', net), { ok: true });
    assert.doesNotMatch(ipo('-6 addr show dev v0'), /fd00:7[78]/);
  });

  await t.test('routes in table 1000: add, EEXIST, delete, ESRCH', async () => {
    const routes = [
      '10.89.0.0/16 via 10.77.0.1 dev v0 table 1000 metric 7',
      'unreachable 10.88.0.0/16 table 1000',
      '10.90.0.0/24 dev v0 src 10.77.0.10 table 1000',
    ];
    for (const r of routes) assert.deepEqual(await child.call('addRoute', r), { ok: true }, r);
    assert.equal((await child.call('addRoute', routes[0])).code, 'EEXIST');
    const shown = sh(`ip -n ${ns} route show table 1000`).out;
    assert.match(shown, /^10\.89\.0\.0\/16 via 10\.77\.0\.1 dev v0 metric 7 $/m);
    assert.match(shown, /^unreachable 10\.88\.0\.0\/16 $/m);
    assert.match(shown, /^10\.90\.0\.0\/24 dev v0 scope link src 10\.77\.0\.10 $/m);
    for (const r of routes) assert.deepEqual(await child.call('deleteRoute', r), { ok: true }, r);
    assert.equal((await child.call('deleteRoute', routes[1])).code, 'ESRCH');
    assert.equal(sh(`ip -n ${ns} route show table 1000`).out, '');
    const bad = await child.call('addRoute', '10.91.0.0/16 onlink');
    assert.deepEqual([bad.ok, bad.word], [false, 'onlink']);
  });

  await t.test(
    'monitor: link down/up and address events, quickly; nothing after close',
    async () => {
      assert.deepEqual(await child.call('monitor'), { ok: true });
      const latencies: number[] = [];
      for (const up of [false, true, false, true]) {
        const started = Date.now();
        assert.equal(sh(`ip -n ${ns} link set v1 ${up ? 'up' : 'down'}`).status, 0);
        const e = await child.nextEvent(
          (x) => x.event.type === 'link' && x.event.ifname === 'v1' && x.event.up === up,
          2000,
        );
        assert.ok(e, `no link event for v1 ${up ? 'up' : 'down'}`);
        latencies.push(e.at - started);
      }
      t.diagnostic(`link event latency (ms, incl. running ip): ${latencies.join(', ')}`);
      assert.ok(Math.max(...latencies) < 500, `latencies ${latencies.join(', ')}`);

      sh(`ip -n ${ns} addr add 10.77.9.9/32 dev v0`);
      const added = await child.nextEvent((x) => x.event.type === 'addr', 2000);
      assert.deepEqual(added?.event, {
        type: 'addr',
        added: true,
        ifname: 'v0',
        ifindex: ((await child.call('getLink', 'v0')).value as LinkJ).ifindex,
        family: 'inet',
        address: '10.77.9.9',
        prefixLength: 32,
      });
      sh(`ip -n ${ns} addr del 10.77.9.9/32 dev v0`);
      const removed = await child.nextEvent((x) => x.event.type === 'addr', 2000);
      assert.equal(removed?.event.added, false);

      // close() while a poll is in flight: the child stays responsive and events stop.
      assert.deepEqual(await child.call('closeMonitor'), { ok: true });
      await new Promise((r) => setTimeout(r, 300));
      sh(`ip -n ${ns} link set v1 down && ip -n ${ns} link set v1 up`);
      assert.equal(await child.nextEvent(() => true, 400), undefined);
      assert.equal((await child.call('getLink', 'v1')).ok, true);
    },
  );
});
