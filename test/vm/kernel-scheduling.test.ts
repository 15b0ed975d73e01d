// Inside the test VM: the kernel's IPVS schedulers are the oracle for tandem's userspace ones.
// Each scenario programs one service (masquerading to Node servers on 127.2.0.x) in the
// kernel with Debian's ipvsadm and in a tandem table with runIpvsadm, then opens connections
// one at a time from chosen loopback sources and holds them open. The server that accepts a
// connection is the kernel's pick; the same SYN, SYN-ACK, ACK fed to IpvsTable gives tandem's.
// Weight edits, additions and deletions between connections move both the same way. At the end
// the connection counters, packet statistics and connection entries must be equal as well.
// docs/ipvs-kernel.md has the table of what was compared.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Socket } from 'node:net';
import { TCP_FLAG } from '../../src/ipvs/index.js';
import {
  both,
  kernelIpvsadm,
  newTwin,
  requireVm,
  resetKernel,
  tandemIpvsadm,
  type Twin,
} from './helpers/kernel.js';
import {
  openClient,
  startRealServers,
  type Endpoint,
  type RealServers,
} from './helpers/traffic.js';

const RPORT = 8000;
const VPORT = 80;
/** Real servers R1…R6 on 127.2.0.1…6:8000, and S1…S3 on [::1]:8001…8003 for IPv6. */
const REALS: readonly Endpoint[] = [
  ...[1, 2, 3, 4, 5, 6].map((i) => ({ address: `127.2.0.${i}`, port: RPORT })),
  ...[1, 2, 3].map((i) => ({ address: '::1', port: RPORT + i })),
];
const LABELS = [...[1, 2, 3, 4, 5, 6].map((i) => `R${i}`), ...[1, 2, 3].map((i) => `S${i}`)];
const CONNECT_TIMEOUT_MS = 5000;

type Step =
  | {
      readonly kind: 'connect';
      readonly client: string;
      readonly vip: string;
      readonly vport?: number;
    }
  | { readonly kind: 'admin'; readonly line: string }
  /** The client half-closes its `nth` connection of the scenario (0-based): FIN in. */
  | { readonly kind: 'close'; readonly nth: number };

interface Scenario {
  readonly name: string;
  readonly setup: readonly string[];
  readonly steps: readonly Step[];
}

const vipOf = (k: number, i = 1): string => `127.100.${k}.${i}`;
const rs = (i: number): string => `127.2.0.${i}:${RPORT}`;

/** A TCP service on `vip`:80 with masquerading real servers [index, weight] added in order. */
function service(vip: string, opts: string, dests: readonly (readonly [number, number])[]) {
  return [
    `-A -t ${vip}:${VPORT} ${opts}`,
    ...dests.map(([i, w]) => `-a -t ${vip}:${VPORT} -r ${rs(i)} -m -w ${w}`),
  ];
}

/** `n` connections to `vip` from distinct sources 127.1.k.(from…). */
function fromMany(k: number, vip: string, n: number, from = 1): Step[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: 'connect',
    client: `127.1.${k}.${from + i}`,
    vip,
  }));
}

/** `n` connections to `vip` from one source address (only the ports differ). */
function fromOne(client: string, vip: string, n: number): Step[] {
  return Array.from({ length: n }, () => ({ kind: 'connect', client, vip }));
}

/** `n` IPv6 connections from ::1 to [::1]:`vport` (the ports differ). */
function fromLoopback6(vport: number, n: number): Step[] {
  return Array.from({ length: n }, () => ({ kind: 'connect', client: '::1', vip: '::1', vport }));
}

/** An IPv6 service on [::1]:`vport` masquerading to S1…S3 ([index, weight]). */
function service6(vport: number, opts: string, dests: readonly (readonly [number, number])[]) {
  return [
    `-A -t [::1]:${vport} ${opts}`,
    ...dests.map(([i, w]) => `-a -t [::1]:${vport} -r [::1]:${RPORT + i} -m -w ${w}`),
  ];
}

/** Clients that come back: `rounds` passes over sources 127.1.k.1…n. */
function returning(k: number, vip: string, n: number, rounds: number): Step[] {
  return Array.from({ length: rounds }, () => fromMany(k, vip, n)).flat();
}

function admin(line: string): Step {
  return { kind: 'admin', line };
}

/** Edit real server `i` of `vip` to weight `w`. */
function weight(vip: string, i: number, w: number): Step {
  return admin(`-e -t ${vip}:${VPORT} -r ${rs(i)} -m -w ${w}`);
}

function addDest(vip: string, i: number, w: number): Step {
  return admin(`-a -t ${vip}:${VPORT} -r ${rs(i)} -m -w ${w}`);
}

function delDest(vip: string, i: number): Step {
  return admin(`-d -t ${vip}:${VPORT} -r ${rs(i)}`);
}

/** Half-close connections (by their order in the scenario): their entries turn inactive. */
function close(...nths: number[]): Step[] {
  return nths.map((nth) => ({ kind: 'close', nth }));
}

function simple(k: number, name: string, opts: string, dests: [number, number][], steps: Step[]) {
  return { name, setup: service(vipOf(k), opts, dests), steps };
}

const V = vipOf;

const SCENARIOS: readonly Scenario[] = [
  simple(
    1,
    'rr',
    '-s rr',
    [
      [1, 1],
      [2, 2],
      [3, 0],
      [4, 1],
    ],
    [
      ...fromMany(1, V(1), 8),
      weight(V(1), 2, 0),
      ...fromMany(1, V(1), 4, 20),
      addDest(V(1), 5, 1),
      ...fromMany(1, V(1), 4, 40),
      delDest(V(1), 1),
      ...fromMany(1, V(1), 4, 60),
      weight(V(1), 3, 3),
      ...fromMany(1, V(1), 3, 80),
    ],
  ),
  simple(
    2,
    'wrr',
    '-s wrr',
    [
      [1, 4],
      [2, 3],
      [3, 2],
    ],
    [
      ...fromMany(2, V(2), 18),
      weight(V(2), 1, 1),
      ...fromMany(2, V(2), 6, 30),
      addDest(V(2), 4, 6),
      ...fromMany(2, V(2), 8, 40),
      delDest(V(2), 2),
      ...fromMany(2, V(2), 5, 60),
    ],
  ),
  simple(
    3,
    'wrr with a common divisor',
    '-s wrr',
    [
      [1, 6],
      [2, 4],
      [3, 2],
    ],
    [...fromMany(3, V(3), 8), weight(V(3), 2, 3), ...fromMany(3, V(3), 8, 20)],
  ),
  simple(
    4,
    'lc',
    '-s lc',
    [
      [1, 1],
      [2, 1],
      [3, 0],
      [4, 5],
    ],
    [
      ...fromMany(4, V(4), 8),
      ...close(0, 3, 6),
      ...fromMany(4, V(4), 3, 10),
      weight(V(4), 3, 1),
      ...fromMany(4, V(4), 4, 20),
      addDest(V(4), 5, 1),
      ...fromMany(4, V(4), 4, 40),
      delDest(V(4), 4),
      ...fromMany(4, V(4), 3, 60),
    ],
  ),
  simple(
    5,
    'wlc',
    '-s wlc',
    [
      [1, 3],
      [2, 1],
      [3, 2],
    ],
    [
      ...fromMany(5, V(5), 12),
      ...close(0, 1, 2, 3, 4),
      ...fromMany(5, V(5), 4, 13),
      weight(V(5), 2, 4),
      ...fromMany(5, V(5), 6, 20),
      addDest(V(5), 4, 2),
      ...fromMany(5, V(5), 6, 40),
      delDest(V(5), 1),
      ...fromMany(5, V(5), 4, 60),
    ],
  ),
  simple(
    6,
    'sed',
    '-s sed',
    [
      [1, 1],
      [2, 5],
      [3, 2],
    ],
    [
      ...fromMany(6, V(6), 12),
      ...close(0, 1, 2),
      ...fromMany(6, V(6), 3, 13),
      weight(V(6), 1, 3),
      ...fromMany(6, V(6), 6, 20),
      addDest(V(6), 4, 2),
      ...fromMany(6, V(6), 6, 40),
    ],
  ),
  simple(
    7,
    'nq',
    '-s nq',
    [
      [1, 1],
      [2, 2],
      [3, 3],
    ],
    [
      ...fromMany(7, V(7), 10),
      ...close(1, 2, 4),
      ...fromMany(7, V(7), 3, 11),
      addDest(V(7), 4, 1),
      ...fromMany(7, V(7), 4, 20),
      weight(V(7), 3, 0),
      ...fromMany(7, V(7), 4, 40),
    ],
  ),
  simple(
    8,
    'sh',
    '-s sh',
    [
      [1, 1],
      [2, 2],
      [3, 1],
    ],
    [
      ...fromMany(8, V(8), 16),
      weight(V(8), 2, 0),
      ...fromMany(8, V(8), 8),
      addDest(V(8), 4, 3),
      ...fromMany(8, V(8), 8, 30),
    ],
  ),
  simple(
    9,
    'sh with sh-fallback',
    '-s sh -b sh-fallback',
    [
      [1, 1],
      [2, 2],
      [3, 1],
    ],
    [weight(V(9), 2, 0), ...fromMany(9, V(9), 16)],
  ),
  simple(
    10,
    'sh with sh-port',
    '-s sh -b sh-port',
    [
      [1, 1],
      [2, 1],
      [3, 2],
    ],
    [...fromOne('127.1.10.1', V(10), 12)],
  ),
  {
    name: 'dh',
    setup: Array.from({ length: 12 }, (_, i) =>
      service(V(11, i + 1), '-s dh', [
        [1, 1],
        [2, 1],
        [3, 2],
      ]),
    ).flat(),
    steps: [
      ...Array.from({ length: 12 }, (_, i) => fromMany(11, V(11, i + 1), 1, i + 1)).flat(),
      admin(`-e -t ${V(11, 5)}:${VPORT} -r ${rs(1)} -m -w 0`),
      admin(`-e -t ${V(11, 6)}:${VPORT} -r ${rs(2)} -m -w 0`),
      admin(`-e -t ${V(11, 7)}:${VPORT} -r ${rs(3)} -m -w 0`),
      ...[5, 6, 7].map((i) => fromMany(11, V(11, i), 1, 20 + i)).flat(),
    ],
  },
  simple(
    12,
    'mh',
    '-s mh',
    [
      [1, 1],
      [2, 1],
      [3, 2],
    ],
    [
      ...fromMany(12, V(12), 16),
      weight(V(12), 3, 0),
      ...fromMany(12, V(12), 8),
      addDest(V(12), 4, 1),
      ...fromMany(12, V(12), 8, 30),
    ],
  ),
  simple(
    13,
    'mh with mh-fallback',
    '-s mh -b mh-fallback',
    [
      [1, 1],
      [2, 1],
      [3, 2],
    ],
    [weight(V(13), 1, 0), ...fromMany(13, V(13), 16)],
  ),
  simple(
    14,
    'mh with mh-port',
    '-s mh -b mh-port',
    [
      [1, 3],
      [2, 1],
      [3, 2],
    ],
    [...fromOne('127.1.14.1', V(14), 12)],
  ),
  simple(
    15,
    'fo',
    '-s fo',
    [
      [1, 1],
      [2, 3],
      [3, 2],
    ],
    [
      ...fromMany(15, V(15), 4),
      weight(V(15), 2, 0),
      ...fromMany(15, V(15), 3, 10),
      addDest(V(15), 4, 5),
      ...fromMany(15, V(15), 2, 20),
      weight(V(15), 3, 5),
      ...fromMany(15, V(15), 2, 30),
    ],
  ),
  simple(
    16,
    'ovf',
    '-s ovf',
    [
      [1, 2],
      [2, 1],
      [3, 3],
    ],
    [
      ...fromMany(16, V(16), 11),
      ...close(0, 4),
      ...fromMany(16, V(16), 3, 12),
      addDest(V(16), 4, 1),
      ...fromMany(16, V(16), 3, 20),
      weight(V(16), 2, 4),
      ...fromMany(16, V(16), 3, 30),
    ],
  ),
  simple(
    17,
    'lblc',
    '-s lblc',
    [
      [1, 2],
      [2, 2],
      [3, 2],
    ],
    [
      ...fromMany(17, V(17), 10),
      ...close(0, 1, 2, 3, 4, 5),
      ...fromMany(17, V(17), 3, 11),
      weight(V(17), 3, 8),
      ...fromMany(17, V(17), 6, 20),
    ],
  ),
  simple(
    18,
    'lblcr',
    '-s lblcr',
    [
      [1, 2],
      [2, 2],
      [3, 2],
    ],
    [
      ...fromMany(18, V(18), 10),
      ...close(0, 1, 2, 3, 4, 5),
      ...fromMany(18, V(18), 3, 11),
      weight(V(18), 3, 8),
      ...fromMany(18, V(18), 6, 20),
    ],
  ),
  simple(
    19,
    'rr persistent 60',
    '-s rr -p 60',
    [
      [1, 1],
      [2, 1],
      [3, 1],
    ],
    [...returning(19, V(19), 4, 3), weight(V(19), 1, 0), ...fromMany(19, V(19), 4)],
  ),
  {
    name: 'wlc persistent, netmask /24',
    setup: service(V(20), '-s wlc -p 60 -M 255.255.255.0', [
      [1, 1],
      [2, 1],
      [3, 1],
    ]),
    steps: [
      ...fromMany(20, V(20), 3),
      ...fromMany(21, V(20), 3),
      ...fromMany(22, V(20), 3),
      ...fromMany(20, V(20), 2, 10),
    ],
  },
  {
    name: 'wlc over IPv6',
    setup: service6(81, '-s wlc', [
      [1, 1],
      [2, 3],
      [3, 2],
    ]),
    steps: [
      ...fromLoopback6(81, 8),
      ...close(0, 1, 2),
      ...fromLoopback6(81, 4),
      admin(`-e -t [::1]:81 -r [::1]:${RPORT + 2} -m -w 0`),
      ...fromLoopback6(81, 3),
    ],
  },
  {
    name: 'sh with sh-port over IPv6',
    setup: service6(82, '-s sh -b sh-port', [
      [1, 1],
      [2, 2],
      [3, 1],
    ]),
    steps: fromLoopback6(82, 12),
  },
  {
    name: 'mh with mh-port over IPv6',
    setup: service6(83, '-s mh -b mh-port', [
      [1, 2],
      [2, 1],
      [3, 1],
    ]),
    steps: fromLoopback6(83, 12),
  },
];

/** R1…/S1… for a real server endpoint, '?' when none accepted. */
function label(index: number | undefined): string {
  return index === undefined ? '?' : (LABELS[index] ?? `#${index}`);
}

function labelOf(address: string, port: number): string {
  const i = REALS.findIndex((e) => e.address === address && e.port === port);
  return i < 0 ? `${address}:${port}` : label(i);
}

/** The virtual column of `ipvsadm -L -n -c` for a connect step. */
function virtualOf(step: Step & { kind: 'connect' }): string {
  const port = step.vport ?? VPORT;
  return step.vip.includes(':') ? `[${step.vip}]:${port}` : `${step.vip}:${port}`;
}

/**
 * `ipvsadm -L -n -c` lines of the scenario's virtual addresses (entries of earlier scenarios
 * linger in the kernel until their timers run out) without the expiry column (the kernel's
 * timers run in real time, tandem's on a manual clock), sorted.
 */
function entries(text: string, vips: ReadonlySet<string>): string {
  return text
    .split('\n')
    .slice(2)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => vips.has(f[4] ?? ''))
    .map((f) => [f[0], ...f.slice(2)].join(' '))
    .sort()
    .join('\n');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The kernel's listing once it equals tandem's, or the last one read. Linux 6.1 copies its
 * per-CPU counters into what ipvsadm reads only on the 2 s estimator tick, so --stats lags
 * by up to 2 s; tandem's counters are current.
 */
async function settledKernelView(view: readonly string[], expected: string): Promise<string> {
  const deadline = Date.now() + 4000;
  let k = kernelIpvsadm(view).stdout;
  while (k !== expected && Date.now() < deadline) {
    await sleep(250);
    k = kernelIpvsadm(view).stdout;
  }
  return k;
}

interface Outcome {
  readonly kernel: string[];
  readonly tandem: string[];
  readonly problems: string[];
}

async function runScenario(s: Scenario, servers: RealServers, ports: { next: number }) {
  resetKernel();
  const twin: Twin = newTwin();
  const out: Outcome = { kernel: [], tandem: [], problems: [] };
  const sockets: Socket[] = [];
  const opened: {
    step: Step & { kind: 'connect' };
    port: number;
    socket: Socket;
    conn: number;
  }[] = [];
  const command = (line: string): void => {
    const argv = line.split(/\s+/);
    const { kernel, tandem } = both(twin, argv);
    if (kernel.exitCode !== 0) out.problems.push(`kernel refused ${line}: ${kernel.stderr}`);
    if (tandem.exitCode !== 0) out.problems.push(`tandem refused ${line}: ${tandem.stderr}`);
  };
  try {
    for (const line of s.setup) command(line);
    for (const step of s.steps) {
      if (step.kind === 'admin') {
        command(step.line);
        out.kernel.push('|');
        out.tandem.push('|');
        continue;
      }
      if (step.kind === 'close') {
        const c = opened[step.nth];
        if (c === undefined) throw new Error(`no connection #${step.nth} to close`);
        c.socket.end();
        if (!(await servers.ended(c.step.client, c.port, CONNECT_TIMEOUT_MS))) {
          out.problems.push(`connection #${step.nth} did not end`);
        }
        const pkt = packet(c.step, c.port);
        const size = bytes(c.step, false);
        twin.table.inbound({ ...pkt, tcpFlags: TCP_FLAG.FIN | TCP_FLAG.ACK, bytes: size });
        twin.table.outbound(c.conn, TCP_FLAG.ACK, size);
        out.kernel.push(`x${step.nth}`);
        out.tandem.push(`x${step.nth}`);
        continue;
      }
      const port = ports.next++;
      const vport = step.vport ?? VPORT;
      const r = await openClient(step.client, port, step.vip, vport, CONNECT_TIMEOUT_MS);
      if (r.ok) {
        sockets.push(r.socket);
        out.kernel.push(label(await servers.acceptedBy(step.client, port, CONNECT_TIMEOUT_MS)));
      } else {
        out.kernel.push(r.error === 'ECONNREFUSED' ? '-' : `!${r.error}`);
      }
      const pick = tandemPick(twin, step, port);
      out.tandem.push(pick.name);
      if (r.ok) {
        opened.push({ step, port, socket: r.socket, conn: pick.conn });
      }
    }
    for (const view of [
      ['-L', '-n'],
      ['-L', '-n', '--stats'],
    ]) {
      const t = tandemIpvsadm(twin, view).stdout;
      const k = await settledKernelView(view, t);
      if (k !== t) out.problems.push(`ipvsadm ${view.join(' ')}\n${k}--- tandem\n${t}`);
    }
    const vips = new Set(s.steps.flatMap((st) => (st.kind === 'connect' ? [virtualOf(st)] : [])));
    const k = entries(kernelIpvsadm(['-L', '-n', '-c']).stdout, vips);
    const t = entries(tandemIpvsadm(twin, ['-L', '-n', '-c']).stdout, vips);
    if (k !== t) out.problems.push(`connection entries\n${k}\n--- tandem\n${t}`);
  } finally {
    for (const sock of sockets) sock.destroy();
  }
  return out;
}

/**
 * IP packet sizes as Linux sends them on loopback: a 20 (IPv4) or 40 (IPv6) byte header, and
 * a TCP header of 40 bytes with SYN options or 32 with timestamps.
 */
function bytes(step: Step & { kind: 'connect' }, syn: boolean): number {
  return (step.vip.includes(':') ? 40 : 20) + (syn ? 40 : 32);
}

function packet(step: Step & { kind: 'connect' }, port: number) {
  return {
    protocol: 'TCP' as const,
    family: step.vip.includes(':') ? ('inet6' as const) : ('inet' as const),
    clientAddress: step.client,
    clientPort: port,
    virtualAddress: step.vip,
    virtualPort: step.vport ?? VPORT,
  };
}

/** The opening handshake as the kernel saw it: SYN in, SYN-ACK out, ACK in. */
function tandemPick(twin: Twin, step: Step & { kind: 'connect' }, port: number) {
  const pkt = packet(step, port);
  const v = twin.table.inbound({ ...pkt, tcpFlags: TCP_FLAG.SYN, bytes: bytes(step, true) });
  if (v.kind !== 'forward') return { name: '-', conn: -1 };
  twin.table.outbound(v.conn, TCP_FLAG.SYN | TCP_FLAG.ACK, bytes(step, true));
  twin.table.inbound({ ...pkt, tcpFlags: TCP_FLAG.ACK, bytes: bytes(step, false) });
  return { name: labelOf(v.target.address, v.target.port), conn: v.conn };
}

describe('the kernel schedules locally originated connections as tandem does', () => {
  let servers: RealServers | undefined;
  const ports = { next: 20000 };

  before(async () => {
    if (process.env.TANDEM_VM === '1') servers = await startRealServers(REALS);
  });
  after(async () => {
    await servers?.close();
  });

  for (const s of SCENARIOS) {
    it(s.name, async (t) => {
      if (!requireVm(t) || servers === undefined) return;
      const r = await runScenario(s, servers, ports);
      t.diagnostic(`kernel ${r.kernel.join(' ')}`);
      assert.equal(r.tandem.join(' '), r.kernel.join(' '), 'picks (tandem vs kernel)');
      assert.deepEqual(r.problems, []);
    });
  }
});
