// LVS-DR in a netdev table: an ingress chain on the interface where VIP traffic arrives sends
// each packet for VIP:port to its real server with `fwd ip to <addr> device <if>`; the kernel
// resolves the real server's MAC, the packet keeps the VIP as destination, and the real server
// (VIP on lo, `tandem realserver start`) answers the client directly. Nothing is rewritten.
//
// Decisions are per flow: netdev ingress has no conntrack, and a per-packet pick sends a
// connection's handshake ACK elsewhere (measured, docs/nft.md). The first packet of a flow is
// scheduled (slot map, or the client's persistence entry) and the flow (client address and
// port) is recorded in a dynamic map with the real server's number; later packets find it
// there. The number travels in the packet mark from the flow map to the forwarding map.
//
// TCP closing, as IPVS does it in DR (the director sees only the client's side): a FIN moves
// the entry to the tcpfin timeout (IPVS's FIN_WAIT) with `update`, which in this kernel resets
// an entry's expiry and keeps its value, so it allocates nothing; the plane counts an entry
// with no more than tcpfin left as inactive. A SYN on a known entry (the client reused its
// port, or retransmitted the SYN) goes to the same real server, as with IPVS's default
// conn_reuse_mode=1, which in DR reschedules only TIME_WAIT and CLOSE entries; a RST deletes
// the entry (IPVS's CLOSE: the port's next SYN is scheduled afresh). Unlike IPVS's default,
// a SYN whose server left or is at weight 0 is scheduled afresh (as with expire_nodest_conn=1),
// so a reused port does not keep a client on a failed or draining server.
//
// Per service `s_…`: chain s (flow lookup) → s_known (refresh) or s_new (schedule) → s_record
// (record) → s_fwd (count, forward). A flow whose real server left the table finds no address
// and is dropped, as IPVS drops packets of connections to a removed destination; a server at
// weight 0 keeps its flows (its address stays) but gets no new ones (it has no slots).
//
// An open flow's entry is not refreshed on every packet: the entry's value carries a refresh
// tag (mark bits 24-30) naming the refresh period it was last written in, and only a packet
// whose entry has an older tag (at most once a period) or a SYN, FIN or RST writes it. Entries
// live the idle timeout plus one period (refreshPeriod), so an entry never expires sooner than
// the idle timeout after its flow's last packet and at most one period later. The current tag
// is written in one place, the table's REFRESH_CHAIN, which s_known and s_record jump to: it
// sets FRESH_BIT in the packet's mark when the entry's tag is current, and otherwise puts the
// current tag in the mark for the write that follows. A new period rewrites that chain only (two
// rules, whatever the number of services; refilling every service's chains took 1.8 s with
// 1,000 services, bench/nft-update).
//
// Stateless services (`--nft-dr-stateless`, rr wrr sh dh mh without persistence or ops) have no
// flow map: every packet is hashed (client address and port, or as the scheduler says) over a
// slot table that keeps every slot whose server stays (slots.ts hashSlotTable), so a server
// leaving moves only its own flows. Connections are counted on SYN.

import type { Timeouts } from '../../ipvs/index.js';
import type { NftChain, NftCounter, NftObject, NftSet, NftTable } from './ruleset.js';
import { drTableName } from './names.js';
import {
  cachedObjects,
  flowKey,
  flowTimeout,
  flowType,
  refreshPeriod,
  plannedSignature,
  type CounterRef,
  type ObjectCache,
  persistKey,
  persistType,
  serviceElement,
  type FlowOptions,
  type PlannedService,
} from './keys.js';
import { ipWord } from './slots.js';

/** Mark bits of the refresh tag an entry was written with (see above). */
export const TAG_MASK = 0x7f000000;
/** Set in the packet's mark by REFRESH_CHAIN when the entry's tag is the current one. */
export const FRESH_BIT = 0x80000000;
/** The table's chain that knows the current refresh tag (the only one a new period changes). */
export const REFRESH_CHAIN = 'refresh_tag';
/** Mark bits of the real server's number. */
export const NUMBER_MASK = 0x00ffffff;

/** An entry with at most this many milliseconds left has seen FIN (inactive, see above). */
export function closingMs(t: Timeouts): number {
  return Math.max(1, t.tcpfin) * 1000;
}

/** The refresh tag of period `epoch`: 1…127, never 0, so an untagged mark never matches. */
export function refreshTag(epoch: number): number {
  return (((epoch % 127) + 127) % 127) + 1;
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

export interface DrService extends PlannedService {
  /** The interface `fwd` sends each real server's packets out of, parallel to svc.dests. */
  readonly devices: readonly string[];
  /** No flow map: every packet is hashed over the slot table (see above). */
  readonly stateless?: boolean;
}

export interface DrFlowOptions extends FlowOptions {
  /** The current refresh period's number (refreshPeriod seconds each). */
  readonly epoch: number;
}

export interface BuiltTable {
  readonly table: NftTable;
  readonly counters: ReadonlyMap<string, CounterRef>;
}

/** What a service's maps and chains both depend on. */
function shapeOf(p: DrService): { s: string; ip: string; persistent: boolean; ops: boolean } {
  const { svc, prefix: s } = p;
  // Without a flow map every packet is scheduled (ops), or hashed (stateless; build.ts only
  // marks services with neither persistence nor ops stateless).
  return {
    s,
    ip: ipWord(svc),
    persistent: svc.flags.persistent,
    ops: svc.flags.onePacket || p.stateless === true,
  };
}

/** A service's counters, maps and sets: they do not change with the refresh period. */
function serviceMaps(
  p: DrService,
  opts: FlowOptions,
  counters: Map<string, CounterRef>,
): NftObject[] {
  const { svc } = p;
  const { s, ip, persistent, ops } = shapeOf(p);
  const objs: NftObject[] = [];
  const pkts = new Map<string, string>();
  const conns = new Map<string, string>();
  const addrs = new Map<string, string>();
  const live = new Map<string, string>();
  const accepting = new Map<string, string>();
  svc.dests.forEach((d, i) => {
    const n = p.numbers[i] ?? 0;
    const pc: NftCounter = { kind: 'counter', name: `${s}_p${n}` };
    const cc: NftCounter = { kind: 'counter', name: `${s}_c${n}` };
    objs.push(pc, cc);
    counters.set(pc.name, { service: svc, dest: i, kind: 'in' });
    counters.set(cc.name, { service: svc, dest: i, kind: 'conns' });
    pkts.set(String(n), `"${pc.name}"`);
    conns.set(String(n), `"${cc.name}"`);
    addrs.set(String(n), d.address);
    live.set(String(n), '');
    if (d.weight > 0) accepting.set(String(n), '');
  });
  const slotMap = new Map<string, string>();
  p.slots.slots.forEach((i, slot) => {
    const n = i === undefined ? undefined : p.numbers[i];
    if (n !== undefined) slotMap.set(String(slot), String(n));
  });
  const dynamic = (name: string, type: string): NftSet => ({
    kind: 'map',
    name,
    decl: [`typeof ${type} : meta mark`, `size ${opts.flowsSize}`, 'flags dynamic,timeout'],
  });
  if (!ops) objs.push(dynamic(`${s}_flows`, flowType(svc)));
  if (!ops && svc.protocol === 'TCP') {
    // Servers a reused port's SYN may stay with (see above).
    objs.push({
      kind: 'set',
      name: `${s}_accepting`,
      decl: ['typeof meta mark'],
      elements: accepting,
    });
  }
  objs.push(
    {
      kind: 'map',
      name: `${s}_slots`,
      decl: ['typeof numgen inc mod 2 : meta mark'],
      elements: slotMap,
    },
    { kind: 'map', name: `${s}_addr`, decl: [`typeof meta mark : ${ip} daddr`], elements: addrs },
    { kind: 'map', name: `${s}_pkts`, decl: ['type mark : counter'], elements: pkts },
    { kind: 'map', name: `${s}_conns`, decl: ['type mark : counter'], elements: conns },
  );
  if (persistent) {
    objs.push(dynamic(`${s}_persist`, persistType(svc)), {
      kind: 'set',
      name: `${s}_live`,
      decl: ['typeof meta mark'],
      elements: live,
    });
  }
  return objs;
}

/** A service's chains. They name no refresh tag (the table's REFRESH_CHAIN does). */
function serviceChains(p: DrService, opts: FlowOptions): NftChain[] {
  const { svc } = p;
  const { s, ip, persistent, ops } = shapeOf(p);
  const stateless = p.stateless === true;
  const key = flowKey(svc);
  const timeout = flowTimeout(svc, opts.timeouts) + refreshPeriod(opts.timeouts);
  const number = `meta mark set meta mark & ${hex(NUMBER_MASK)}`;
  const pkey = persistKey(svc);
  const remember = persistent
    ? ` update @${s}_persist { ${pkey} timeout ${svc.timeout}s : meta mark }`
    : '';
  const count = ` counter name meta mark map @${s}_conns goto ${s}_fwd`;
  // Flow-map services record the flow (s_record) before counting and forwarding.
  const then = ops ? count : ` goto ${s}_record`;
  const pick = `meta mark set ${p.slots.expression} map @${s}_slots`;
  const flowHash = p.slots.expression.startsWith('numgen')
    ? `jhash ${ip} saddr . th sport mod ${p.slots.size} seed 0x0`
    : p.slots.expression;
  const synOnly = svc.protocol === 'TCP' ? 'tcp flags & (syn | ack) == syn ' : '';
  const newRules = stateless
    ? [
        // Count a connection on its SYN only; every packet takes the same slot.
        ...(synOnly === '' ? [] : [`${synOnly}${pick}${count}`]),
        `${pick} goto ${s}_fwd`,
        'drop',
      ]
    : [
        ...(persistent
          ? [`meta mark set ${pkey} map @${s}_persist meta mark @${s}_live${remember}${then}`]
          : []),
        `${pick}${remember}${then}`,
        'drop',
      ];
  const recordRules = [
    // The number gets the current tag (it has none, so REFRESH_CHAIN's second rule).
    `jump ${REFRESH_CHAIN}`,
    `add @${s}_flows { ${key} timeout ${timeout}s : meta mark } ${number}${count}`,
    // The flow map is full: forward without recording, by a hash of the flow over the same
    // slots, so the flow's later packets (scheduled again) land on the same server.
    `meta mark set ${flowHash} map @${s}_slots${count}`,
    'drop',
  ];
  const fresh = `meta mark & ${hex(FRESH_BIT)} != 0`;
  // `update` would only push the expiry on (the kernel keeps an entry's value): an entry of an
  // older period is deleted and added again with the mark REFRESH_CHAIN re-tagged.
  const rewrite = (secs: number): string =>
    `delete @${s}_flows { ${key} : meta mark } ` +
    `add @${s}_flows { ${key} timeout ${secs}s : meta mark } ${number} goto ${s}_fwd`;
  // A rule whose map write fails (the kernel answers a failed `add` with NFT_BREAK) goes on to
  // the next rule. The last one forwards by the entry just looked up: without it such a packet
  // fell off the chain into the ingress policy (accept), reached the director's own stack, which
  // holds the VIP, and was answered with a RST (measured: about 1 in 2,000 connections once
  // client ports were being reused under load).
  const written = `${number} goto ${s}_fwd`;
  const fin = Math.max(1, opts.timeouts.tcpfin);
  // The common case first: a packet of an open flow with no SYN, FIN or RST whose entry was
  // written this period, no write. Then FIN and SYN on an entry of this period only reset its
  // expiry (`update` allocates nothing); an older entry is rewritten.
  const knownRules =
    svc.protocol === 'TCP'
      ? [
          `jump ${REFRESH_CHAIN}`,
          `${fresh} tcp flags & (syn | fin | rst) == 0 ${number} goto ${s}_fwd`,
          `tcp flags & rst != 0 delete @${s}_flows { ${key} : meta mark } ${number} goto ${s}_fwd`,
          `${fresh} tcp flags & fin != 0 update @${s}_flows { ${key} timeout ${fin}s : meta mark } ${number} goto ${s}_fwd`,
          `tcp flags & fin != 0 ${rewrite(fin)}`,
          `tcp flags & (syn | ack) == syn meta mark & ${hex(NUMBER_MASK)} != @${s}_accepting delete @${s}_flows { ${key} : meta mark } goto ${s}_new`,
          `${fresh} update @${s}_flows { ${key} timeout ${timeout}s : meta mark } ${number} goto ${s}_fwd`,
          rewrite(timeout),
          written,
        ]
      : [`jump ${REFRESH_CHAIN}`, `${fresh} ${number} goto ${s}_fwd`, rewrite(timeout), written];
  const byDevice = new Map<string, number[]>();
  p.devices.forEach((dev, i) => {
    const n = p.numbers[i];
    if (n === undefined) return;
    const list = byDevice.get(dev) ?? [];
    list.push(n);
    byDevice.set(dev, list);
  });
  const fwd = (dev: string): string => `fwd ${ip} to meta mark map @${s}_addr device "${dev}"`;
  const fwdRules =
    byDevice.size <= 1
      ? [...byDevice.keys()].map(fwd)
      : [...byDevice].map(([dev, ns]) => `meta mark { ${ns.join(', ')} } ${fwd(dev)}`);
  return [
    ...(stateless
      ? [{ kind: 'chain' as const, name: s, rules: newRules }]
      : [
          {
            kind: 'chain' as const,
            name: s,
            rules: ops
              ? [`goto ${s}_new`]
              : [`meta mark set ${key} map @${s}_flows goto ${s}_known`, `goto ${s}_new`],
          },
          ...(ops ? [] : [{ kind: 'chain' as const, name: `${s}_known`, rules: knownRules }]),
          { kind: 'chain' as const, name: `${s}_new`, rules: newRules },
          ...(ops ? [] : [{ kind: 'chain' as const, name: `${s}_record`, rules: recordRules }]),
        ]),
    {
      kind: 'chain',
      name: `${s}_fwd`,
      rules: [`counter name meta mark map @${s}_pkts`, ...fwdRules, 'drop'],
    },
  ];
}

/** The netdev table for DR services arriving on `ifname`. */
export function drTable(
  ifname: string,
  services: readonly DrService[],
  opts: DrFlowOptions,
  cache?: ObjectCache,
): BuiltTable {
  const counters = new Map<string, CounterRef>();
  const v4 = new Map<string, string>();
  const v6 = new Map<string, string>();
  const perService: NftObject[] = [];
  let flowMaps = false;
  for (const p of services) {
    (p.svc.family === 'inet6' ? v6 : v4).set(serviceElement(p.svc), `goto ${p.prefix}`);
    const t = opts.timeouts;
    const sig = `${plannedSignature(p, `${t.tcp}/${t.tcpfin}/${t.udp}/${opts.flowsSize}/${p.stateless === true ? 1 : 0}`)} ${p.devices.join(',')}`;
    // A new refresh period changes none of a service's objects (only REFRESH_CHAIN): they
    // keep their identity, and the diff skips them.
    perService.push(
      ...cachedObjects(cache, `dr ${p.prefix}`, sig, counters, (c) => [
        ...serviceMaps(p, opts, c),
        ...serviceChains(p, opts),
      ]),
    );
    if (!shapeOf(p).ops) flowMaps = true;
  }
  const vmaps: NftSet[] = [];
  const rules: string[] = [];
  if (v4.size > 0) {
    vmaps.push({
      kind: 'map',
      name: 'services4',
      decl: ['type ipv4_addr . inet_proto . inet_service : verdict'],
      elements: v4,
    });
    rules.push('ip daddr . meta l4proto . th dport vmap @services4');
  }
  if (v6.size > 0) {
    vmaps.push({
      kind: 'map',
      name: 'services6',
      decl: ['type ipv6_addr . inet_proto . inet_service : verdict'],
      elements: v6,
    });
    rules.push('ip6 daddr . meta l4proto . th dport vmap @services6');
  }
  const ingress: NftChain = {
    kind: 'chain',
    name: 'ingress',
    hook: `type filter hook ingress device "${ifname}" priority filter; policy accept;`,
    rules,
  };
  const tag = hex(refreshTag(opts.epoch) << 24);
  const refresh: NftChain[] = flowMaps
    ? [
        {
          kind: 'chain',
          name: REFRESH_CHAIN,
          rules: [
            `meta mark & ${hex(TAG_MASK)} == ${tag} meta mark set meta mark | ${hex(FRESH_BIT)} return`,
            `meta mark set meta mark & ${hex(NUMBER_MASK)} | ${tag}`,
          ],
        },
      ]
    : [];
  // Counters and maps first, chains last: the block reads top-down like the packet path.
  const ordered = [
    ...perService.filter((o) => o.kind === 'counter'),
    ...vmaps,
    ...perService.filter((o) => o.kind === 'map' || o.kind === 'set'),
    ingress,
    ...refresh,
    ...perService.filter((o) => o.kind === 'chain'),
  ];
  return { table: { family: 'netdev', name: drTableName(ifname), objects: ordered }, counters };
}
