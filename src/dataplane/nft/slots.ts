// Which real server a new flow gets, as a table the kernel can evaluate: a slot expression the
// packet path computes once per new flow (`numgen inc mod N`, or `jhash … mod N` of the client
// or the VIP) and a map from slot to real server. The tables come from tandem's IPVS
// schedulers (src/ipvs/schedulers), so the kernel and the proxy share one definition:
//
// - rr, wrr: the scheduler's own pick sequence over one period, walked by `numgen inc` (strict
//   rotation per new flow). wrr periods longer than MAX_SEQUENCE are scaled down, as mh scales
//   weights.
// - sh: ip_vs_sh's 256-bucket table (with sh-fallback as the kernel walks it), keyed by a jhash
//   of the client address (and port with sh-port). dh: ip_vs_dh's table keyed by the VIP.
// - mh: the Maglev lookup table (16381 slots) of the real servers with weight > 0, keyed by a
//   jhash of the client address (and port with mh-port). A server that leaves or returns moves
//   only about 1/N of the slots.
// - lc, wlc, sed, nq, lblc, lblcr, fo, ovf, twos need live connection counts, which a kernel
//   map cannot consult. They are approximated: the plane feeds the kernel's counts into the
//   table, and the slots are the scheduler's next `window` picks from those counts (each pick
//   counted as a new active connection), recomputed every period. docs/nft.md says so.
//
// The hashes are not the kernel IPVS ones (nftables has no siphash), so a tandem director and a
// kernel IPVS director do not agree on sh/mh picks; two tandem directors do (fixed seed).

import type { LvsSched } from '../../config/model.js';
import {
  buildMaglevTable,
  createScheduler,
  dhBuckets,
  DH_TAB_SIZE,
  shBuckets,
  shFallbackFrom,
  shPick,
  SH_TAB_SIZE,
  type DestSnapshot,
  type SchedDest,
  type ServiceSnapshot,
} from '../../ipvs/index.js';

/**
 * Maglev table size of the nft plane: the kernel's prime for CONFIG_IP_VS_MH_TAB_INDEX=14,
 * four times its default. With 4093 slots a server leaving moves up to 1/N + 1.8 % of them for
 * N ≤ 16; with 16381, at most 1/N + 0.8 % (test/unit/dataplane/nft/maglev.test.ts), at a cost of
 * ~0.15 s to load a new service. The hashes differ from the kernel's anyway (jhash, not
 * siphash), so nothing ties the plane to the kernel's size.
 */
export const NFT_MH_TABLE_SIZE = 16381;

/** rr/wrr/counting sequences longer than this are scaled down. */
export const MAX_SEQUENCE = 1024;
/** The counting schedulers' default look-ahead when no rate is known yet. */
export const MIN_WINDOW = 16;

/** Schedulers whose picks depend on live connection counts (approximated, see above). */
export const COUNTING_SCHEDULERS: ReadonlySet<string> = new Set<LvsSched>([
  'lc',
  'wlc',
  'sed',
  'nq',
  'lblc',
  'lblcr',
  'fo',
  'ovf',
  'twos',
]);

export interface SlotTable {
  /** The slot of a new flow: `numgen inc mod 4`, `jhash ip saddr mod 256 seed 0x0`. */
  readonly expression: string;
  /** The expression's modulus. */
  readonly size: number;
  /** Slot → position in the service's dest list; undefined slots mean "no destination". */
  readonly slots: readonly (number | undefined)[];
}

export interface SlotOptions {
  /** Counting schedulers: how many picks ahead to lay out (rounded up to a power of two). */
  readonly window?: number;
}

/** A scheduler's view of the snapshot's dests; `id` is the position in the list. */
function schedDests(dests: readonly DestSnapshot[]): SchedDest[] {
  return dests.map((d, i) => ({
    id: i,
    address: d.address,
    family: d.family,
    port: d.port,
    weight: d.weight,
    lastWeight: d.weight,
    activeConns: d.activeConns,
    inactConns: d.inactConns,
    persistConns: d.persistConns,
    overloaded: d.overloaded,
  }));
}

const usable = (d: { weight: number; overloaded: boolean }): boolean =>
  d.weight > 0 && !d.overloaded;

/** A small deterministic PRNG for twos, so a table is a function of its inputs. */
function seededRandom(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** `count` picks of the scheduler from the dests' current counts, each pick a new connection. */
function sequence(svc: ServiceSnapshot, dests: SchedDest[], count: number): (number | undefined)[] {
  const s = createScheduler(svc.scheduler as LvsSched, {
    sched1: svc.flags.sched1,
    sched2: svc.flags.sched2,
    sched3: svc.flags.sched3,
    random: seededRandom(1),
    now: () => 0,
  });
  s.update(dests);
  const packet = {
    clientAddress: svc.family === 'inet6' ? '::' : '0.0.0.0',
    clientPort: 0,
    virtualAddress: svc.address ?? '',
    virtualPort: svc.port,
  };
  const out: (number | undefined)[] = [];
  for (let i = 0; i < count; i++) {
    const d = s.select(packet);
    out.push(d?.id);
    if (d !== undefined) {
      d.activeConns++;
      s.countsChanged(d);
    }
  }
  return out;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Weights reduced by their gcd and, when their sum exceeds `max`, shifted down (≥ 1). */
function scaledWeights(dests: SchedDest[], max: number): SchedDest[] {
  const g = dests.reduce((acc, d) => (d.weight > 0 ? gcd(d.weight, acc) : acc), 0);
  if (g === 0) return dests;
  const sum = dests.reduce((n, d) => n + (d.weight > 0 ? d.weight / g : 0), 0);
  const shift = sum > max ? Math.ceil(Math.log2(sum / max)) : 0;
  return dests.map((d) =>
    d.weight > 0 ? { ...d, weight: Math.max(1, Math.floor(d.weight / g / 2 ** shift)) } : d,
  );
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** `ip` or `ip6`: the payload protocol keyword of the service's family. */
export function ipWord(svc: ServiceSnapshot): 'ip' | 'ip6' {
  return svc.family === 'inet6' ? 'ip6' : 'ip';
}

/** The slot table of a service; undefined for an unknown scheduler name. */
export function slotTable(svc: ServiceSnapshot, opts: SlotOptions = {}): SlotTable | undefined {
  const ip = ipWord(svc);
  const dests = schedDests(svc.dests);
  const clientHash = (port: boolean, size: number): string =>
    `jhash ${ip} saddr${port ? ' . th sport' : ''} mod ${size} seed 0x0`;
  const numgen = (size: number, slots: (number | undefined)[]): SlotTable => ({
    expression: `numgen inc mod ${Math.max(1, size)}`,
    size: Math.max(1, size),
    slots,
  });
  switch (svc.scheduler) {
    case 'rr': {
      const n = dests.filter(usable).length;
      return numgen(n, sequence(svc, dests, n));
    }
    case 'wrr': {
      const scaled = scaledWeights(dests, MAX_SEQUENCE);
      const period = scaled.reduce((n, d) => n + (usable(d) ? d.weight : 0), 0);
      // A period of gcd-reduced weights is the scheduler's whole cycle.
      const g = scaled.reduce((acc, d) => (usable(d) ? gcd(d.weight, acc) : acc), 0) || 1;
      const n = period / g;
      return numgen(n, sequence(svc, scaled, n));
    }
    case 'sh': {
      const buckets = shBuckets(dests);
      const from = shFallbackFrom(buckets);
      const slots = Array.from(
        { length: SH_TAB_SIZE },
        (_, h) => shPick(buckets, from, h, svc.flags.sched1)?.id,
      );
      return { expression: clientHash(svc.flags.sched2, SH_TAB_SIZE), size: SH_TAB_SIZE, slots };
    }
    case 'dh': {
      const buckets = dhBuckets(dests);
      const slots = buckets.map((d) => (d !== undefined && usable(d) ? d.id : undefined));
      const expression = `jhash ${ip} daddr mod ${DH_TAB_SIZE} seed 0x0`;
      return { expression, size: DH_TAB_SIZE, slots };
    }
    case 'mh': {
      const m = NFT_MH_TABLE_SIZE;
      const table = buildMaglevTable(dests.filter(usable), m) ?? [];
      const slots = Array.from({ length: m }, (_, i) => table[i]?.id);
      return { expression: clientHash(svc.flags.sched2, m), size: m, slots };
    }
    default: {
      if (!COUNTING_SCHEDULERS.has(svc.scheduler)) return undefined;
      const n = Math.min(MAX_SEQUENCE, nextPow2(Math.max(MIN_WINDOW, opts.window ?? 0)));
      return numgen(n, sequence(svc, dests, n));
    }
  }
}

/** Slots of the stateless DR table (hashSlotTable): a weight share is within ~1.5 % of 4096. */
export const HASH_TABLE_SIZE = 4096;

/** Schedulers the stateless DR path can stand in for (every packet hashed, no flow map). */
export const HASHABLE_SCHEDULERS: ReadonlySet<string> = new Set<LvsSched>([
  'rr',
  'wrr',
  'sh',
  'dh',
  'mh',
]);

/** A 32-bit FNV-1a of a string: the userspace side of the table, never evaluated in the kernel. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // A final avalanche, so neighbouring slot numbers score unrelated values.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The stateless DR slot table: each slot goes to the usable real server with the best weighted
 * rendezvous score for that slot (score = -ln(u) / weight, u a hash of the slot and the server's
 * address and port). A slot's owner changes only when its owner leaves (its slots spread over
 * the others by weight) or a server whose score beats it returns: the flows of servers that
 * stay keep their server when another leaves. The key hashed in the kernel is the client's
 * address and port (rr, wrr; rr and wrr become a weighted spread, not a rotation), the
 * client's address (sh, mh; and port with sh-port/mh-port) or the VIP (dh).
 */
export function hashSlotTable(svc: ServiceSnapshot): SlotTable | undefined {
  if (!HASHABLE_SCHEDULERS.has(svc.scheduler)) return undefined;
  const ip = ipWord(svc);
  const size = HASH_TABLE_SIZE;
  let key: string;
  if (svc.scheduler === 'dh') key = `${ip} daddr`;
  else if (svc.scheduler === 'sh' || svc.scheduler === 'mh') {
    key = `${ip} saddr${svc.flags.sched2 ? ' . th sport' : ''}`;
  } else key = `${ip} saddr . th sport`;
  const dests = svc.dests
    .map((d, i) => ({ i, weight: d.weight, id: `${d.address}|${d.port}`, usable: usable(d) }))
    .filter((d) => d.usable);
  const slots: (number | undefined)[] = [];
  for (let slot = 0; slot < size; slot++) {
    let best: number | undefined;
    let bestScore = Infinity;
    for (const d of dests) {
      const u = (fnv1a(`${slot}|${d.id}`) + 0.5) / 4294967296;
      const score = -Math.log(u) / d.weight;
      if (score < bestScore) {
        bestScore = score;
        best = d.i;
      }
    }
    slots.push(best);
  }
  return { expression: `jhash ${key} mod ${size} seed 0x0`, size, slots };
}
