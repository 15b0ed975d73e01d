// LVS-NAT in one inet table: `dnat` in prerouting sends a new connection for VIP:port to its
// real server; conntrack, which is per connection by nature, carries every later packet the
// same way and rewrites the replies (the real servers route back through the director, or the
// director masquerades when --nft-masquerade asks). NAT rules see only a connection's first
// packet, so counting happens in a forward-hook chain that recognises the service by the
// connection's original destination (`ct original ip daddr . … . ct original proto-dst`).
//
// Persistence: a dynamic map from the client address (under the netmask) to the real server
// the client's last connection went to, written in the forward chain once the destination is
// known. A connection whose real server has left the table is dropped there, and its
// persistence entry is removed, so the client's retransmitted SYN is scheduled afresh (IPVS
// drops packets of connections to removed destinations too).

import type { NftChain, NftCounter, NftObject, NftSet, NftTable } from './ruleset.js';
import { NAT_TABLE } from './names.js';
import {
  cachedObjects,
  persistKey,
  plannedSignature,
  type CounterRef,
  type ObjectCache,
  persistType,
  serviceElement,
  type FlowOptions,
  type PlannedService,
} from './keys.js';
import type { BuiltTable } from './dr.js';
import { ipWord } from './slots.js';

export interface NatOptions extends FlowOptions {
  /** Masquerade connections to real servers (they need no route back through the director). */
  readonly masquerade: boolean;
}

/** `10.0.0.2 . 80`, or the address alone for a service of every port. */
function target(p: PlannedService, i: number): string {
  const d = p.svc.dests[i];
  if (d === undefined) return '';
  const port = d.port === 0 ? p.svc.port : d.port;
  return `${d.address} . ${port}`;
}

function serviceObjects(
  p: PlannedService,
  opts: NatOptions,
  counters: Map<string, CounterRef>,
): NftObject[] {
  const { svc, prefix: s } = p;
  const ip = ipWord(svc);
  const proto = (svc.protocol ?? 'TCP').toLowerCase();
  const persistent = svc.flags.persistent;
  const objs: NftObject[] = [];
  const inMap = new Map<string, string>();
  const outMap = new Map<string, string>();
  const connMap = new Map<string, string>();
  const live = new Map<string, string>();
  svc.dests.forEach((_, i) => {
    const n = p.numbers[i] ?? 0;
    const names = { in: `${s}_i${n}`, out: `${s}_o${n}`, conns: `${s}_c${n}` } as const;
    const t = target(p, i);
    for (const kind of ['conns', 'in', 'out'] as const) {
      const c: NftCounter = { kind: 'counter', name: names[kind] };
      objs.push(c);
      counters.set(c.name, { service: svc, dest: i, kind });
    }
    inMap.set(t, `"${names.in}"`);
    outMap.set(t, `"${names.out}"`);
    connMap.set(t, `"${names.conns}"`);
    live.set(t, '');
  });
  const slotMap = new Map<string, string>();
  p.slots.slots.forEach((i, slot) => {
    if (i !== undefined) slotMap.set(String(slot), target(p, i));
  });
  const addrType = `${ip === 'ip' ? 'ipv4_addr' : 'ipv6_addr'} . inet_service`;
  const counterMap = (name: string, elements: Map<string, string>): NftSet => ({
    kind: 'map',
    name,
    decl: [`type ${addrType} : counter`],
    elements,
  });
  objs.push(
    {
      kind: 'map',
      name: `${s}_slots`,
      decl: [`typeof numgen inc mod 2 : ${ip} daddr . ${proto} dport`],
      elements: slotMap,
    },
    { kind: 'set', name: `${s}_live`, decl: [`type ${addrType}`], elements: live },
    counterMap(`${s}_conns`, connMap),
    counterMap(`${s}_in`, inMap),
    counterMap(`${s}_out`, outMap),
  );
  const pkey = persistKey(svc);
  if (persistent) {
    objs.push({
      kind: 'map',
      name: `${s}_persist`,
      decl: [
        `typeof ${persistType(svc)} : ${ip} daddr . ${proto} dport`,
        `size ${opts.flowsSize}`,
        'flags dynamic,timeout',
      ],
    });
  }
  const dnat = `meta l4proto ${proto} dnat ${ip} to`;
  const dnatRules = [
    ...(persistent ? [`${dnat} ${pkey} map @${s}_persist`] : []),
    `${dnat} ${p.slots.expression} map @${s}_slots`,
    'drop',
  ];
  const dest = `${ip} daddr . th dport`;
  const forget = persistent ? ` delete @${s}_persist { ${pkey} : ${dest} }` : '';
  const remember = persistent
    ? ` update @${s}_persist { ${pkey} timeout ${svc.timeout}s : ${dest} }`
    : '';
  const countRules = [
    `ct direction original ${dest} != @${s}_live${forget} drop`,
    `ct direction original ct state new counter name ${dest} map @${s}_conns${remember}`,
    `ct direction original counter name ${dest} map @${s}_in`,
    `ct direction reply counter name ${ip} saddr . th sport map @${s}_out`,
  ];
  const chains: NftChain[] = [
    { kind: 'chain', name: s, rules: dnatRules },
    { kind: 'chain', name: `${s}_count`, rules: countRules },
  ];
  return [...objs, ...chains];
}

/** The NAT table for every NAT service, or undefined when there are none. */
export function natTable(
  services: readonly PlannedService[],
  opts: NatOptions,
  cache?: ObjectCache,
): BuiltTable | undefined {
  if (services.length === 0) return undefined;
  const counters = new Map<string, CounterRef>();
  const perService: NftObject[] = [];
  const maps: NftSet[] = [];
  const pre: string[] = [];
  const fwd: string[] = [];
  const post: string[] = [];
  for (const [fam, ip, addr] of [
    ['4', 'ip', 'ipv4_addr'],
    ['6', 'ip6', 'ipv6_addr'],
  ] as const) {
    const mine = services.filter((p) => ipWord(p.svc) === ip);
    if (mine.length === 0) continue;
    const type = `${addr} . inet_proto . inet_service`;
    const vmap = (name: string, chain: (p: PlannedService) => string): NftSet => ({
      kind: 'map',
      name,
      decl: [`type ${type} : verdict`],
      elements: new Map(mine.map((p) => [serviceElement(p.svc), `goto ${chain(p)}`])),
    });
    maps.push(
      vmap(`services${fam}`, (p) => p.prefix),
      vmap(`counted${fam}`, (p) => `${p.prefix}_count`),
    );
    const original = `ct original ${ip} daddr . meta l4proto . ct original proto-dst`;
    pre.push(`${ip} daddr . meta l4proto . th dport vmap @services${fam}`);
    fwd.push(`meta l4proto { tcp, udp, sctp } ct status dnat ${original} vmap @counted${fam}`);
    if (opts.masquerade) {
      maps.push({
        kind: 'set',
        name: `masq${fam}`,
        decl: [`type ${type}`],
        elements: new Map(mine.map((p) => [serviceElement(p.svc), ''])),
      });
      post.push(
        `meta l4proto { tcp, udp, sctp } ct status dnat ${original} @masq${fam} masquerade`,
      );
    }
    for (const p of mine) {
      const sig = plannedSignature(p, `${opts.flowsSize}`);
      const make = (c: Map<string, CounterRef>): NftObject[] => serviceObjects(p, opts, c);
      perService.push(...cachedObjects(cache, `nat ${p.prefix}`, sig, counters, make));
    }
  }
  const base: NftChain[] = [
    {
      kind: 'chain',
      name: 'prerouting',
      hook: 'type nat hook prerouting priority dstnat; policy accept;',
      rules: pre,
    },
    {
      kind: 'chain',
      name: 'forward',
      hook: 'type filter hook forward priority filter - 10; policy accept;',
      rules: fwd,
    },
    ...(opts.masquerade
      ? [
          {
            kind: 'chain' as const,
            name: 'postrouting',
            hook: 'type nat hook postrouting priority srcnat; policy accept;',
            rules: post,
          },
        ]
      : []),
  ];
  const table: NftTable = {
    family: 'inet',
    name: NAT_TABLE,
    objects: [
      ...perService.filter((o) => o.kind === 'counter'),
      ...maps,
      ...perService.filter((o) => o.kind === 'map' || o.kind === 'set'),
      ...base,
      ...perService.filter((o) => o.kind === 'chain'),
    ],
  };
  return { table, counters };
}
