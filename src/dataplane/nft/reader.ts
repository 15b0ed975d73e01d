// Reading the plane's kernel objects back: over netlink (src/sys/nft-netlink.ts) when koffi
// loads, asking only for one table's counters or one map's elements, on one socket kept for
// the reader's life (1,000 empty flow maps: 250 ms with a socket each, 160 ms on one);
// otherwise through nft's JSON listings, which load the whole ruleset each time (fine for
// tests and small tables).

import {
  closeNftSocket,
  dumpNftCounters,
  dumpNftMapEntries,
  dumpNftTables,
  openNftSocket,
  type MapEntries,
  type NftDump,
  type NftFamilyName,
} from '../../sys/nft-netlink.js';
import { parseCounters, parseMapEntries, type CounterValue } from './kernel-read.js';
import type { NftRunner } from './runner.js';

export interface KernelReader {
  readonly name: 'netlink' | 'nft';
  tables(): { family: string; name: string }[] | undefined;
  counters(family: string, table: string): Map<string, CounterValue> | undefined;
  /** A map's elements: each one's mark and the time it has left. */
  mapEntries(family: string, table: string, map: string): MapEntries | undefined;
  /** Releases what the reader holds (its netlink socket). */
  close?(): void;
}

const FAMILIES = new Set(['inet', 'ip', 'arp', 'netdev', 'bridge', 'ip6']);
const fam = (f: string): NftFamilyName | undefined =>
  FAMILIES.has(f) ? (f as NftFamilyName) : undefined;

export function netlinkReader(): KernelReader {
  let socket: number | undefined;
  const drop = (): void => {
    if (socket !== undefined) closeNftSocket(socket);
    socket = undefined;
  };
  // A dump on the kept socket; one that fails closes it (a timeout can leave replies behind),
  // and the next dump opens a fresh one.
  const dump = <T>(fn: (fd: number) => NftDump<T>): T | undefined => {
    if (socket === undefined) {
      const opened = openNftSocket();
      if (!opened.ok) return undefined;
      socket = opened.value;
    }
    const r = fn(socket);
    if (r.ok) return r.value;
    drop();
    return undefined;
  };
  return {
    name: 'netlink',
    tables: () => dump((fd) => dumpNftTables(fd)),
    counters: (family, table) => {
      const f = fam(family);
      return f === undefined ? undefined : dump((fd) => dumpNftCounters(f, table, fd));
    },
    mapEntries: (family, table, map) => {
      const f = fam(family);
      return f === undefined ? undefined : dump((fd) => dumpNftMapEntries(f, table, map, fd));
    },
    close: drop,
  };
}

export function runnerReader(runner: NftRunner): KernelReader {
  return {
    name: 'nft',
    tables: () => {
      const r = runner.json('list tables');
      return r.ok ? parseTables(r.output) : undefined;
    },
    counters: (family, table) => {
      const r = runner.json(`list counters table ${family} ${table}`);
      return r.ok ? parseCounters(r.output) : undefined;
    },
    mapEntries: (family, table, map) => {
      const r = runner.json(`list map ${family} ${table} ${map}`);
      return r.ok ? parseMapEntries(r.output) : undefined;
    },
  };
}

/** netlink when it answers (koffi loaded, nf_tables present), else nft's listings. */
export function defaultReader(runner: NftRunner): KernelReader {
  const nl = netlinkReader();
  if (nl.tables() !== undefined) return nl;
  nl.close?.();
  return runnerReader(runner);
}

/** `nft -j list tables` → family and name of each table. */
export function parseTables(text: string): { family: string; name: string }[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  const list = (doc as { nftables?: unknown } | null)?.nftables;
  const out: { family: string; name: string }[] = [];
  for (const e of Array.isArray(list) ? list : []) {
    const t = (e as { table?: { family?: unknown; name?: unknown } } | null)?.table;
    if (typeof t?.family === 'string' && typeof t.name === 'string') {
      out.push({ family: t.family, name: t.name });
    }
  }
  return out;
}
