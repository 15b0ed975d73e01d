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
// Mark bit 31 flags a TCP flow that has seen FIN or RST: its entry then lives `tcpfin` seconds
// whatever follows, a new SYN on it is scheduled afresh (port reuse), and the plane counts it
// as inactive, as IPVS counts FIN_WAIT connections.
//
// Per service `s_…`: chain s (flow lookup) → s_known (refresh) or s_new (schedule, record) →
// s_fwd (count, forward). A flow whose real server left the table finds no address and is
// dropped, as IPVS drops packets of connections to a removed destination; a server at weight
// 0 keeps its flows (its address stays) but gets no new ones (it has no slots).

import type { NftChain, NftCounter, NftObject, NftSet, NftTable } from './ruleset.js';
import { drTableName } from './names.js';
import {
  cachedObjects,
  flowKey,
  flowTimeout,
  flowType,
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

export const CLOSING_BIT = 0x80000000;

export interface DrService extends PlannedService {
  /** The interface `fwd` sends each real server's packets out of, parallel to svc.dests. */
  readonly devices: readonly string[];
}

export interface BuiltTable {
  readonly table: NftTable;
  readonly counters: ReadonlyMap<string, CounterRef>;
}

function serviceObjects(
  p: DrService,
  opts: FlowOptions,
  counters: Map<string, CounterRef>,
): NftObject[] {
  const { svc, prefix: s } = p;
  const ip = ipWord(svc);
  const key = flowKey(svc);
  const timeout = flowTimeout(svc, opts.timeouts);
  const persistent = svc.flags.persistent;
  const ops = svc.flags.onePacket;
  const objs: NftObject[] = [];
  const pkts = new Map<string, string>();
  const conns = new Map<string, string>();
  const addrs = new Map<string, string>();
  const live = new Map<string, string>();
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

  const record = ops ? '' : ` add @${s}_flows { ${key} timeout ${timeout}s : meta mark }`;
  const pkey = persistKey(svc);
  const remember = persistent
    ? ` update @${s}_persist { ${pkey} timeout ${svc.timeout}s : meta mark }`
    : '';
  const count = ` counter name meta mark map @${s}_conns goto ${s}_fwd`;
  const pick = `meta mark set ${p.slots.expression} map @${s}_slots`;
  const flowHash = p.slots.expression.startsWith('numgen')
    ? `jhash ${ip} saddr . th sport mod ${p.slots.size} seed 0x0`
    : p.slots.expression;
  const newRules = [
    ...(persistent
      ? [`meta mark set ${pkey} map @${s}_persist meta mark @${s}_live${remember}${record}${count}`]
      : []),
    `${pick}${remember}${record}${count}`,
    // The flow map is full: forward without recording, by a hash of the flow over the same
    // slots, so the flow's later packets (scheduled again) land on the same server.
    ...(ops ? [] : [`meta mark set ${flowHash} map @${s}_slots${count}`]),
    'drop',
  ];
  const closing = `meta mark & 0x${CLOSING_BIT.toString(16)} != 0`;
  const refresh = `update @${s}_flows { ${key} timeout ${timeout}s : meta mark } goto ${s}_fwd`;
  const unmark = `meta mark set meta mark & 0x${(~CLOSING_BIT >>> 0).toString(16)}`;
  const open = `meta mark & 0x${CLOSING_BIT.toString(16)} == 0`;
  // The common case first: a packet of an open flow with no SYN, FIN or RST, one rule.
  const knownRules =
    svc.protocol === 'TCP'
      ? [
          `${open} tcp flags & (syn | fin | rst) == 0 ${refresh}`,
          `${closing} tcp flags & (syn | ack) == syn delete @${s}_flows { ${key} : meta mark } goto ${s}_new`,
          `${closing} ${unmark} goto ${s}_fwd`,
          `tcp flags & (fin | rst) != 0 delete @${s}_flows { ${key} : meta mark } meta mark set meta mark | 0x${CLOSING_BIT.toString(16)} add @${s}_flows { ${key} timeout ${Math.max(1, opts.timeouts.tcpfin)}s : meta mark } ${unmark} goto ${s}_fwd`,
          refresh,
        ]
      : [refresh];
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
  const chains: NftChain[] = [
    {
      kind: 'chain',
      name: s,
      rules: ops
        ? [`goto ${s}_new`]
        : [`meta mark set ${key} map @${s}_flows goto ${s}_known`, `goto ${s}_new`],
    },
    ...(ops ? [] : [{ kind: 'chain' as const, name: `${s}_known`, rules: knownRules }]),
    { kind: 'chain', name: `${s}_new`, rules: newRules },
    {
      kind: 'chain',
      name: `${s}_fwd`,
      rules: [`counter name meta mark map @${s}_pkts`, ...fwdRules, 'drop'],
    },
  ];
  return [...objs, ...chains];
}

/** The netdev table for DR services arriving on `ifname`. */
export function drTable(
  ifname: string,
  services: readonly DrService[],
  opts: FlowOptions,
  cache?: ObjectCache,
): BuiltTable {
  const counters = new Map<string, CounterRef>();
  const v4 = new Map<string, string>();
  const v6 = new Map<string, string>();
  const perService: NftObject[] = [];
  for (const p of services) {
    (p.svc.family === 'inet6' ? v6 : v4).set(serviceElement(p.svc), `goto ${p.prefix}`);
    const t = opts.timeouts;
    const sig = `${plannedSignature(p, `${t.tcp}/${t.tcpfin}/${t.udp}/${opts.flowsSize}`)} ${p.devices.join(',')}`;
    perService.push(
      ...cachedObjects(cache, `dr ${p.prefix}`, sig, counters, (c) => serviceObjects(p, opts, c)),
    );
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
  // Counters and maps first, chains last: the block reads top-down like the packet path.
  const ordered = [
    ...perService.filter((o) => o.kind === 'counter'),
    ...vmaps,
    ...perService.filter((o) => o.kind === 'map' || o.kind === 'set'),
    ingress,
    ...perService.filter((o) => o.kind === 'chain'),
  ];
  return { table: { family: 'netdev', name: drTableName(ifname), objects: ordered }, counters };
}
