// Two VRRP engines on one ManualClock joined by an in-memory "wire": the whole runtime —
// transports, VRID dispatch, receive checks, the state machine's timers, listener VIPs, tracking,
// reload — without sockets, root or waiting. Times are the RFC's, to the millisecond.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileConfig, memoryFs, type Config } from '../../../src/config/index.js';
import { ManualClock } from '../../../src/lib/clock.js';
import { createLogger, memorySink } from '../../../src/lib/log.js';
import { VrrpEngine, type TransitionEvent } from '../../../src/vrrp/index.js';
import { listenerVipHolder } from '../../../src/vrrp/vips.js';
import type { OpenTransport, ReceivedPacket } from '../../../src/vrrp/transport.js';
import { fakeSpawner, type FakeSpawner } from '../../helpers/fake-spawner.js';

function conf(self: string, peer: string, priority: number, extra = '', top = ''): Config {
  const text = `
${top}
vrrp_instance VI_1 {
  state BACKUP
  virtual_router_id 51
  priority ${priority}
  advert_int 1
  authentication { auth_type PASS
    auth_pass secret }
  vrrp_transport udp
  vip_mode listener
  unicast_src_ip ${self}
  unicast_peer { ${peer} }
  virtual_ipaddress { 10.0.0.100 }
  ${extra}
}
`;
  const r = compileConfig('/k.conf', { fs: memoryFs({ '/k.conf': text }), hostname: 'h' });
  assert.ok(r.ok, JSON.stringify(r.diagnostics));
  return r.config;
}

/** The wire: what a transport sends to `dst` arrives at the transport bound there. */
class Wire {
  readonly ends = new Map<string, (p: ReceivedPacket) => void>();
  /** Addresses whose packets are dropped (a firewall, a pulled cable). */
  readonly cut = new Set<string>();
  sent = 0;
  open: OpenTransport = (spec, onPacket) => {
    const source = spec.source ?? '';
    this.ends.set(source, onPacket);
    return Promise.resolve({
      ok: true,
      transport: {
        spec,
        source,
        send: (payload, dst) => {
          this.sent++;
          if (this.cut.has(source) || this.cut.has(dst)) return undefined;
          const to = this.ends.get(dst);
          to?.({
            payload: Uint8Array.from(payload),
            src: source,
            dst,
            ttl: undefined,
            multicast: false,
          });
          return undefined;
        },
        close: () => this.ends.delete(source),
      },
    });
  };
}

function node(wire: Wire, clock: ManualClock, address: string, spawner?: FakeSpawner) {
  const sink = memorySink();
  const transitions: TransitionEvent[] = [];
  const groups: string[] = [];
  const held = new Set<string>();
  const engine = new VrrpEngine({
    clock,
    log: createLogger({ level: 'debug', write: sink.write }),
    openTransport: () => wire.open,
    vipHolder: () =>
      listenerVipHolder((_i, addrs, h) => {
        for (const a of addrs)
          if (h) held.add(a);
          else held.delete(a);
      }),
    interfaceAddress: () => address,
    onTransition: (e) => transitions.push(e),
    onGroupTransition: (e) => groups.push(`${e.group}:${e.from}->${e.to}`),
    ...(spawner === undefined ? {} : { trackers: { spawner } }),
  });
  const msgs = (): string[] => sink.records.map((r) => r.msg);
  const state = (): string => engine.status().instances[0]?.state ?? 'none';
  return { engine, transitions, groups, held, msgs, state };
}

async function pair(extraA = '', extraB = '') {
  const clock = new ManualClock(0);
  const wire = new Wire();
  const a = node(wire, clock, '10.0.0.1');
  const b = node(wire, clock, '10.0.0.2');
  await a.engine.load(conf('10.0.0.1', '10.0.0.2', 150, extraA));
  await b.engine.load(conf('10.0.0.2', '10.0.0.1', 100, extraB));
  return { clock, wire, a, b };
}

test('election: the higher priority becomes master after its master-down interval', async () => {
  const { clock, a, b } = await pair();
  assert.equal(a.state(), 'BACKUP');
  // priority 150 at advert_int 1: 3 × 1 s + (256 − 150)/256 s = 3414.06 ms.
  clock.advance(3414);
  assert.equal(a.state(), 'BACKUP');
  clock.advance(1);
  assert.equal(a.state(), 'MASTER');
  // VIP changes run in order on a promise chain (netlink holders are asynchronous).
  await new Promise((r) => setImmediate(r));
  assert.deepEqual([...a.held], ['10.0.0.100']);
  // b hears a's adverts and never takes over.
  clock.advance(20_000);
  assert.equal(b.state(), 'BACKUP');
  assert.equal(b.held.size, 0);
  const s = b.engine.status().instances[0];
  assert.ok((s?.stats.advertsReceived ?? 0) >= 20);
  assert.equal(s?.masterAddress, '10.0.0.1');
  assert.ok(a.msgs().includes('(VI_1) Entering MASTER STATE'));
});

test('a clean stop sends priority 0: the backup takes over after Skew_Time', async () => {
  const { clock, a, b } = await pair();
  clock.advance(4000);
  await a.engine.stop();
  assert.equal(a.held.size, 0);
  const t0 = clock.now();
  // Skew_Time at priority 100: (256 − 100)/256 s = 609.375 ms.
  clock.advance(609);
  assert.equal(b.state(), 'BACKUP');
  clock.advance(1);
  assert.equal(b.state(), 'MASTER');
  assert.equal(clock.now() - t0, 610);
  assert.ok(b.msgs().includes('(VI_1) Backup received priority 0 advertisement'));
});

test('a silent master (cable cut): the backup takes over after the master-down interval', async () => {
  const { clock, wire, a, b } = await pair();
  clock.advance(4000);
  wire.cut.add('10.0.0.1');
  // The last advert left at 3414 + k × 1000 ≤ 4000, i.e. 3414; MDI at 100 is 3609.375 ms.
  clock.advance(3414 + 3609 - 4000);
  assert.equal(b.state(), 'BACKUP');
  clock.advance(1);
  assert.equal(b.state(), 'MASTER');
  // Both are master now (split brain) until the cable is back; then b yields to 150.
  assert.equal(a.state(), 'MASTER');
  wire.cut.clear();
  clock.advance(1000);
  assert.equal(b.state(), 'BACKUP');
  assert.ok(
    b
      .msgs()
      .includes('(VI_1) Master received advert from 10.0.0.1 with higher priority 150, ours 100'),
  );
});

test('wrong password: adverts are rejected and counted, so both become master', async () => {
  const { clock, a, b } = await pair('', 'authentication { auth_type PASS\nauth_pass other }');
  clock.advance(5000);
  assert.equal(a.state(), 'MASTER');
  assert.equal(b.state(), 'MASTER');
  const rejected: Record<string, number> = { ...b.engine.status().instances[0]?.stats.rejected };
  assert.ok((rejected['auth-failure'] ?? 0) >= 1, JSON.stringify(rejected));
});

test('reload: an unchanged instance keeps its state; a changed priority restarts it', async () => {
  const { clock, a } = await pair();
  clock.advance(4000);
  assert.equal(a.state(), 'MASTER');
  const before = a.transitions.length;
  await a.engine.load(conf('10.0.0.1', '10.0.0.2', 150));
  clock.advance(3000);
  assert.equal(a.state(), 'MASTER');
  assert.equal(a.transitions.length, before, 'no transition on an unchanged reload');
  await a.engine.load(conf('10.0.0.1', '10.0.0.2', 90));
  assert.equal(a.state(), 'BACKUP');
  clock.advance(5000);
  assert.equal(a.state(), 'BACKUP', 'priority 90 yields to 100');
});

test('tracking: a failing vrrp_script with weight -60 hands mastership to the backup', async () => {
  const clock = new ManualClock(0);
  const wire = new Wire();
  const spawner = fakeSpawner();
  spawner.autoExit = 0;
  const a = node(wire, clock, '10.0.0.1', spawner);
  const b = node(wire, clock, '10.0.0.2');
  const script = 'vrrp_script chk { script "/bin/true"\ninterval 1\nweight -60 }';
  await a.engine.load(conf('10.0.0.1', '10.0.0.2', 150, 'track_script { chk }', script));
  await b.engine.load(conf('10.0.0.2', '10.0.0.1', 100));
  clock.advance(5000);
  assert.equal(a.state(), 'MASTER');
  spawner.autoExit = 1;
  clock.advance(1000);
  assert.ok(
    a.msgs().includes('(VI_1) Changing effective priority from 150 to 90'),
    a.msgs().join('\n'),
  );
  assert.equal(a.engine.status().instances[0]?.effectivePriority, 90);
  // b discards the lower-priority adverts (preempt) and takes over when its timer runs out.
  clock.advance(4000);
  assert.equal(b.state(), 'MASTER');
  assert.equal(a.state(), 'BACKUP');
  assert.ok(
    b.msgs().includes('(VI_1) received lower priority (90) advert from 10.0.0.1 - discarding'),
  );
  // The script recovers: 150 again, and a preempts b.
  spawner.autoExit = 0;
  clock.advance(6000);
  assert.equal(a.state(), 'MASTER');
  assert.equal(b.state(), 'BACKUP');
});

test('sync group: one member faulting drags the other out of MASTER, and back', async () => {
  const clock = new ManualClock(0);
  const wire = new Wire();
  const spawner = fakeSpawner();
  spawner.autoExit = 0;
  const a = node(wire, clock, '10.0.0.1', spawner);
  const second = `}
vrrp_instance VI_2 {
  state BACKUP
  virtual_router_id 52
  priority 150
  advert_int 1
  vrrp_transport udp
  vip_mode listener
  unicast_src_ip 10.0.0.1
  unicast_peer { 10.0.0.2 }
  virtual_ipaddress { 10.0.0.101 }
  track_script { chk }`;
  const top =
    'vrrp_script chk { script "/bin/true"\ninterval 1 }\nvrrp_sync_group G { group { VI_1 VI_2 } }';
  await a.engine.load(conf('10.0.0.1', '10.0.0.2', 150, second, top));
  clock.advance(5000);
  const states = (): string[] => a.engine.status().instances.map((i) => `${i.name}:${i.state}`);
  assert.deepEqual(states(), ['VI_1:MASTER', 'VI_2:MASTER']);
  spawner.autoExit = 1;
  clock.advance(1000);
  assert.deepEqual(states(), ['VI_1:FAULT', 'VI_2:FAULT']);
  assert.ok(
    a.msgs().includes('VRRP_Group(G) Syncing instances to FAULT state'),
    a.msgs().join('\n'),
  );
  spawner.autoExit = 0;
  clock.advance(6000);
  assert.deepEqual(states(), ['VI_1:MASTER', 'VI_2:MASTER']);
  // The group's own transitions, for its notify scripts and mails.
  assert.ok(a.groups.includes('G:MASTER->FAULT'), a.groups.join(' '));
  assert.equal(a.groups.at(-1), 'G:BACKUP->MASTER');
});

test('reload does not flap an instance that tracks a script (keepalived.md §5: state flaps on reload)', async () => {
  const clock = new ManualClock(0);
  const wire = new Wire();
  const spawner = fakeSpawner();
  spawner.autoExit = 0;
  const a = node(wire, clock, '10.0.0.1', spawner);
  const script = (interval: number): string =>
    `vrrp_script chk { script "/bin/true"\ninterval ${interval} }`;
  const load = (interval: number): Promise<void> =>
    a.engine.load(conf('10.0.0.1', '10.0.0.2', 150, 'track_script { chk }', script(interval)));
  await load(1);
  clock.advance(5000);
  assert.equal(a.state(), 'MASTER');
  const runs = spawner.runs.length;
  // Unchanged tracking: the running script keeps its result and its schedule.
  await load(1);
  assert.equal(a.state(), 'MASTER');
  assert.equal(spawner.runs.length, runs);
  // Changed script: it restarts, and its first run has not finished yet — no FAULT meanwhile.
  spawner.autoExit = undefined;
  await load(2);
  assert.equal(a.state(), 'MASTER');
  assert.ok(spawner.runs.length > runs);
  spawner.runs.at(-1)?.exit(0);
  clock.advance(100);
  assert.equal(a.state(), 'MASTER');
  assert.ok(!a.msgs().includes('(VI_1) Entering FAULT STATE'), a.msgs().join('\n'));
});
