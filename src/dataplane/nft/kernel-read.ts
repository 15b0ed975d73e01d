// Reading the kernel's side back: named counters (`nft -j list counters table …`), the entries
// of a DR flow map (`nft -j list map …`: one per flow, its mark and the time it has left), and
// conntrack's connection list (/proc/net/nf_conntrack) for NAT services. Parsers of text the
// kernel or nft printed: malformed input yields fewer results, never an exception.

import { parseIp } from '../../lib/inet.js';
import type { MapEntries } from '../../sys/nft-netlink.js';
import { NUMBER_MASK } from './dr.js';

export interface CounterValue {
  readonly packets: number;
  readonly bytes: number;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function entries(text: string): readonly unknown[] {
  const doc = parseJson(text);
  if (typeof doc !== 'object' || doc === null) return [];
  const list = (doc as { nftables?: unknown }).nftables;
  return Array.isArray(list) ? list : [];
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Named counters in `nft -j list counters table F T` output, by name. */
export function parseCounters(text: string): Map<string, CounterValue> {
  const out = new Map<string, CounterValue>();
  for (const e of entries(text)) {
    const c = (e as { counter?: unknown } | null)?.counter;
    if (typeof c !== 'object' || c === null) continue;
    const { name, packets, bytes } = c as { name?: unknown; packets?: unknown; bytes?: unknown };
    if (typeof name === 'string') out.set(name, { packets: num(packets), bytes: num(bytes) });
  }
  return out;
}

export interface FlowCounts {
  active: number;
  inactive: number;
}

/**
 * The data values (packet marks) of a map in `nft -j list map …` output, with the time each
 * element has left (nft prints whole seconds; -1 for an element without a timeout).
 */
export function parseMapEntries(text: string): MapEntries {
  const marks: number[] = [];
  const expiresMs: number[] = [];
  for (const e of entries(text)) {
    const m = (e as { map?: unknown } | null)?.map;
    if (typeof m !== 'object' || m === null) continue;
    const elem = (m as { elem?: unknown }).elem;
    if (!Array.isArray(elem)) continue;
    for (const pair of elem) {
      if (!Array.isArray(pair) || typeof pair[1] !== 'number') continue;
      const key = (pair[0] as { elem?: { expires?: unknown } } | null)?.elem;
      const expires = key?.expires;
      marks.push(pair[1] >>> 0);
      expiresMs.push(typeof expires === 'number' && Number.isFinite(expires) ? expires * 1000 : -1);
    }
  }
  return { marks, expiresMs };
}

/**
 * Flows per dest number from a DR flow map: an entry with at most `closingMs` left is inactive
 * (a FIN set it to the tcpfin timeout; an open flow's entry lives the idle timeout plus a
 * refresh period), the others active; UDP flows (`allInactive`) are all inactive, as in IPVS.
 */
export function countFlows(
  flows: MapEntries,
  allInactive: boolean,
  closingMs: number,
): Map<number, FlowCounts> {
  const out = new Map<number, FlowCounts>();
  flows.marks.forEach((mark, i) => {
    const n = (mark & NUMBER_MASK) >>> 0;
    const c = out.get(n) ?? { active: 0, inactive: 0 };
    const left = flows.expiresMs[i] ?? -1;
    if (allInactive || (left >= 0 && left <= closingMs)) c.inactive++;
    else c.active++;
    out.set(n, c);
  });
  return out;
}

/** conntrack's TCP states IPVS counts as active (ipvs.md §3.3); everything else is inactive. */
const ACTIVE_TCP = new Set(['ESTABLISHED', 'SYN_SENT', 'SYN_RECV']);

/** `tcp|10.0.0.1|80|192.168.1.2|8080`: a NAT connection's service and real server. */
export function natConnKey(
  protocol: string,
  vip: string,
  vport: number,
  rs: string,
  rsport: number,
): string {
  return `${protocol.toLowerCase()}|${vip}|${vport}|${rs}|${rsport}`;
}

function canonical(addr: string): string {
  return parseIp(addr)?.text ?? addr;
}

/**
 * Connections by natConnKey in /proc/net/nf_conntrack text: the original tuple's destination
 * (VIP:port) and the reply tuple's source (the real server). Entries whose two tuples agree on
 * the destination were not DNATed and are left out.
 */
export function parseConntrack(text: string): Map<string, FlowCounts> {
  const out = new Map<string, FlowCounts>();
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    const proto = words[2];
    if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') continue;
    const first = (key: string, from = 0): { value: string; at: number } | undefined => {
      for (let i = from; i < words.length; i++) {
        const w = words[i] ?? '';
        if (w.startsWith(`${key}=`)) return { value: w.slice(key.length + 1), at: i };
      }
      return undefined;
    };
    const dst = first('dst');
    const dport = first('dport');
    if (dst === undefined || dport === undefined) continue;
    const rsrc = first('src', dport.at + 1);
    const rsport = rsrc === undefined ? undefined : first('sport', rsrc.at + 1);
    if (rsrc === undefined || rsport === undefined) continue;
    const vip = canonical(dst.value);
    const rs = canonical(rsrc.value);
    if (vip === rs && dport.value === rsport.value) continue;
    const state = proto === 'tcp' ? (words[5] ?? '') : '';
    const key = natConnKey(proto, vip, Number(dport.value), rs, Number(rsport.value));
    const c = out.get(key) ?? { active: 0, inactive: 0 };
    if (ACTIVE_TCP.has(state)) c.active++;
    else c.inactive++;
    out.set(key, c);
  }
  return out;
}
