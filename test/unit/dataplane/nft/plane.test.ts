// The nft plane's own logic against a recording runner and a scripted kernel reader, on a
// ManualClock: the first sync replaces tandem's leftover tables (and only those), later syncs
// send only the difference, a failed transaction falls back to a full replace, counters become
// table statistics as deltas, flow entries become connection counts, a counting scheduler's slots
// are re-laid from them, and close() removes the tables and puts the sysctls back.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  NftDataPlane,
  type KernelReader,
  type NftRunner,
} from '../../../../src/dataplane/nft/index.js';
import type { SysctlIo } from '../../../../src/dataplane/nft/forwarding.js';
import { IpvsTable, schedulerFactory, type ServiceKey } from '../../../../src/ipvs/index.js';
import { ManualClock } from '../../../../src/lib/clock.js';
import { memorySink, createLogger } from '../../../../src/lib/log.js';

const KEY: ServiceKey = {
  kind: 'ip',
  protocol: 'TCP',
  family: 'inet',
  address: '10.0.0.1',
  port: 80,
};

function setup(
  opts: {
    scheduler?: string;
    method?: 'route' | 'masq';
    fail?: (s: string) => boolean;
    conntrack?: () => Promise<string | undefined>;
    /** Milliseconds each transaction blocks for (a large ruleset's apply). */
    applyMs?: () => number;
  } = {},
) {
  const clock = new ManualClock();
  const table = new IpvsTable({ now: () => clock.now(), schedulers: schedulerFactory });
  table.addService({ key: KEY, scheduler: (opts.scheduler ?? 'rr') as 'rr' });
  for (const a of ['10.0.1.1', '10.0.1.2']) {
    table.addDest(KEY, { address: a, port: 80, weight: 1, method: opts.method ?? 'route' });
  }
  const scripts: string[] = [];
  const runner: NftRunner = {
    name: 'nft',
    apply: (s) => {
      scripts.push(s);
      const ms = opts.applyMs?.() ?? 0;
      if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
      return opts.fail?.(s) === true ? { ok: false, error: 'EBUSY' } : { ok: true, output: '' };
    },
    json: () => ({ ok: false, error: 'unused' }),
    close: () => undefined,
  };
  const kernel = {
    tables: [
      { family: 'netdev', name: 'tandem_dr_old' },
      { family: 'inet', name: 'filter' },
    ],
    counters: new Map<string, { packets: number; bytes: number }>(),
    flows: { marks: [] as number[], expiresMs: [] as number[] },
  };
  const reader: KernelReader = {
    name: 'nft',
    tables: () => kernel.tables,
    counters: () => kernel.counters,
    mapEntries: () => kernel.flows,
  };
  const sysctl = new Map([
    ['net.ipv4.ip_forward', '0'],
    ['net.ipv4.conf.all.send_redirects', '1'],
    ['net.ipv4.conf.default.send_redirects', '1'],
    ['net.ipv4.conf.eth0.send_redirects', '1'],
  ]);
  const io: SysctlIo = { read: (n) => sysctl.get(n), write: (n, v) => (sysctl.set(n, v), true) };
  const logs = memorySink();
  const plane = new NftDataPlane({
    table,
    log: createLogger({ level: 'debug', write: logs.write }),
    clock,
    runner,
    reader,
    interfaceOf: () => 'eth0',
    interfaceExists: () => true,
    sysctl: io,
    conntrack: opts.conntrack ?? (() => Promise.resolve('')),
  });
  const sync = (): void => plane.sync(table.snapshot().services);
  return { clock, table, plane, scripts, kernel, sysctl, logs, sync };
}

test('first sync replaces tandem tables only; then only differences; close removes them', async () => {
  const { table, plane, scripts, sync } = setup();
  sync();
  assert.equal(scripts.length, 1);
  assert.match(
    scripts[0] ?? '',
    /^add table netdev tandem_dr_old\ndelete table netdev tandem_dr_old\n/,
  );
  assert.doesNotMatch(scripts[0] ?? '', /inet filter/);
  assert.match(scripts[0] ?? '', /^table netdev tandem_dr_eth0 \{$/m);
  sync();
  assert.equal(scripts.length, 1, 'nothing changed, nothing sent');
  table.editDest(KEY, { address: '10.0.1.2', port: 80, weight: 0, method: 'route' });
  sync();
  assert.equal(scripts.length, 2);
  assert.doesNotMatch(scripts[1] ?? '', /^table |delete table|flows \{ ip saddr . th sport :/m);
  assert.equal(plane.stats().kernel?.transactions, 2);
  await plane.close();
  assert.equal(scripts[2], 'add table netdev tandem_dr_eth0\ndelete table netdev tandem_dr_eth0\n');
});

test('a failed transaction is retried as a full replace', () => {
  let failNext = false;
  const { table, plane, scripts, sync } = setup({
    fail: (s) => failNext && !s.startsWith('add table'),
  });
  sync();
  failNext = true;
  table.deleteDest(KEY, { address: '10.0.1.2', port: 80 });
  sync();
  assert.equal(scripts.length, 3);
  assert.match(
    scripts[2] ?? '',
    /^add table netdev tandem_dr_eth0\ndelete table netdev tandem_dr_eth0\ntable/,
  );
  const k = plane.stats().kernel;
  assert.equal(k?.failures, 1);
  assert.equal(k?.lastError, 'EBUSY');
});

test('counters become statistics as deltas; flow entries become connection counts', () => {
  const { clock, table, kernel, sync } = setup();
  sync();
  const p = 's_tcp_10_0_0_1_80';
  // Dest numbers follow the snapshot's list order (most recent first): 10.0.1.2 is 1.
  kernel.counters.set(`${p}_p1`, { packets: 10, bytes: 1000 });
  kernel.counters.set(`${p}_c1`, { packets: 2, bytes: 120 });
  // 120 s is the tcpfin timeout: that entry saw a FIN.
  kernel.flows = { marks: [1, 1, 1, 2], expiresMs: [900_000, 900_000, 120_000, 900_000] };
  clock.advance(1000);
  kernel.counters.set(`${p}_p1`, { packets: 15, bytes: 1500 });
  clock.advance(1000);
  const d = table.snapshot().services[0]?.dests.find((x) => x.address === '10.0.1.2');
  assert.equal(d?.stats.inpkts, 15);
  assert.equal(d?.stats.inbytes, 1500);
  assert.equal(d?.stats.conns, 2);
  assert.equal(d?.activeConns, 2);
  assert.equal(d?.inactConns, 1);
  const other = table.snapshot().services[0]?.dests.find((x) => x.address === '10.0.1.1');
  assert.equal(other?.activeConns, 1);
});

test('a counting scheduler is re-laid from the counts, and logged as approximated', () => {
  const { clock, kernel, scripts, logs, sync } = setup({ scheduler: 'wlc' });
  sync();
  assert.ok(logs.records.some((r) => r.msg.includes('lb_algo wlc needs live connection counts')));
  const before = scripts.length;
  // 40 active on 10.0.1.2
  kernel.flows = { marks: Array<number>(40).fill(1), expiresMs: Array<number>(40).fill(900_000) };
  clock.advance(1000);
  assert.equal(scripts.length, before + 1);
  assert.match(scripts.at(-1) ?? '', /s_tcp_10_0_0_1_80_slots/);
  assert.doesNotMatch(scripts.at(-1) ?? '', /\b\d+ : 1\b/, 'no new flow for the loaded server');
});

test('a re-lay that took long waits ten times its time before the next one', () => {
  let applyMs = 0;
  const { clock, kernel, scripts, sync } = setup({ scheduler: 'wlc', applyMs: () => applyMs });
  sync();
  const flows = (n: number): void => {
    kernel.flows = { marks: Array<number>(40).fill(n), expiresMs: Array<number>(40).fill(900_000) };
  };
  applyMs = 150;
  flows(1);
  clock.advance(1000);
  const relaid = scripts.length;
  flows(2); // the counts move again: a re-lay would change the slots
  clock.advance(1000);
  assert.equal(scripts.length, relaid, 'not 1 s after a re-lay of 150 ms');
  clock.advance(1000);
  assert.equal(scripts.length, relaid + 1, 'once 1.5 s have passed');
});

test('a DR flow entry is rewritten once per refresh period: the plane moves the tag on', () => {
  const { clock, scripts, sync } = setup();
  sync();
  assert.match(scripts[0] ?? '', /meta mark & 0x7f000000 == 0x01000000 meta mark set/);
  const before = scripts.length;
  clock.advance(29_000);
  assert.equal(scripts.length, before, 'same period, nothing sent');
  clock.advance(1000);
  assert.equal(scripts.length, before + 1);
  const next = scripts.at(-1) ?? '';
  // Only the table's refresh chain names the tag; no service object changes.
  assert.equal(
    next,
    [
      'flush chain netdev tandem_dr_eth0 refresh_tag',
      'add rule netdev tandem_dr_eth0 refresh_tag meta mark & 0x7f000000 == 0x02000000 meta mark set meta mark | 0x80000000 return',
      'add rule netdev tandem_dr_eth0 refresh_tag meta mark set meta mark & 0x00ffffff | 0x02000000',
    ].join('\n'),
  );
});

test('NAT turns forwarding on and close puts it back; unsupported services warn once', async () => {
  const { plane, sysctl, logs, table, sync } = setup({ method: 'masq' });
  table.addService({ key: { kind: 'fwmark', family: 'inet', fwmark: 3 }, scheduler: 'rr' });
  sync();
  sync();
  assert.equal(sysctl.get('net.ipv4.ip_forward'), '1');
  assert.equal(sysctl.get('net.ipv4.conf.eth0.send_redirects'), '0');
  const warned = logs.records.filter(
    (r) => r.msg === 'the nft data plane cannot program this service; skipped',
  );
  assert.equal(warned.length, 1);
  await plane.close();
  assert.equal(sysctl.get('net.ipv4.ip_forward'), '0');
  assert.equal(sysctl.get('net.ipv4.conf.eth0.send_redirects'), '1');
});

test('NAT counts come from conntrack read off the event loop, one read at a time', async () => {
  const reads: ((text: string | undefined) => void)[] = [];
  const { clock, table, sync } = setup({
    method: 'masq',
    conntrack: () => new Promise((resolve) => reads.push(resolve)),
  });
  sync();
  clock.advance(1000);
  assert.equal(reads.length, 1, 'the first tick starts a read and does not wait for it');
  clock.advance(1000);
  clock.advance(1000);
  assert.equal(reads.length, 1, 'no second read while one is running');
  const line = (state: string, sport: number): string =>
    `ipv4     2 tcp      6 431999 ${state} src=10.9.0.5 dst=10.0.0.1 sport=${sport} dport=80 src=10.0.1.1 dst=10.9.0.5 sport=80 dport=${sport} [ASSURED] mark=0 use=1`;
  reads[0]?.([line('ESTABLISHED', 40000), line('TIME_WAIT', 40001)].join('\n'));
  await Promise.resolve();
  const d = table.snapshot().services[0]?.dests.find((x) => x.address === '10.0.1.1');
  assert.equal(d?.activeConns, 1);
  assert.equal(d?.inactConns, 1);
  clock.advance(1000);
  assert.equal(reads.length, 2, 'the next period reads again');
  reads[1]?.(undefined);
  await Promise.resolve();
  const gone = table.snapshot().services[0]?.dests.find((x) => x.address === '10.0.1.1');
  assert.equal(gone?.activeConns, 0, 'no table to read: counts 0');
});
