// The `ip route` word syntax that keepalived's virtual_routes accepts (keepalived.md §1.7), in
// the subset tandem installs: `[TYPE] [to] DEST[/LEN]|default [via GW] [dev IF] [src IP]
// [metric N] [table N] [scope S] [proto N] [no_track]` with TYPE unicast, blackhole, unreachable
// or prohibit. A pure parser: every word it does not support comes back as a diagnostic that
// names the word, never an exception and never a silently dropped option.

import { parseIp, parsePrefix, type Family } from '../lib/inet.js';
import { isScope, type Scope } from './rtnl-scope.js';

export type RouteType = 'unicast' | 'blackhole' | 'unreachable' | 'prohibit';

export interface RouteSpec {
  readonly type: RouteType;
  readonly family: Family;
  readonly dest: string;
  readonly prefixLength: number;
  readonly via?: string;
  readonly dev?: string;
  readonly src?: string;
  readonly metric?: number;
  /** Routing table id (main is 254). */
  readonly table?: number;
  readonly scope?: Scope;
  readonly protocol?: number;
  /** keepalived's no_track: removing the route externally does not fault the instance. */
  readonly noTrack?: boolean;
}

export type RouteWordsResult =
  | { readonly ok: true; readonly value: RouteSpec }
  | { readonly ok: false; readonly word?: string; readonly message: string };

const TYPES: readonly string[] = ['unicast', 'blackhole', 'unreachable', 'prohibit'];
/** /etc/iproute2/rt_tables and rt_protos names (linux/rtnetlink.h RT_TABLE_*, RTPROT_*). */
const TABLES: Readonly<Record<string, number>> = { default: 253, main: 254, local: 255 };
const PROTOS: Readonly<Record<string, number>> = {
  kernel: 2,
  boot: 3,
  static: 4,
  ra: 9,
  dhcp: 16,
  keepalived: 18,
};
const U32_MAX = 0xffffffff;

function u32(text: string | undefined, min: number): number | undefined {
  if (text === undefined || !/^\d{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= U32_MAX ? n : undefined;
}

export function parseRouteWords(words: readonly string[]): RouteWordsResult {
  const bad = (word: string | undefined, message: string): RouteWordsResult =>
    word === undefined ? { ok: false, message } : { ok: false, word, message };
  let type: RouteType = 'unicast';
  let dest: { family?: Family; text: string; prefixLength: number } | undefined;
  const o: {
    via?: string;
    dev?: string;
    src?: string;
    metric?: number;
    table?: number;
    scope?: Scope;
    protocol?: number;
    noTrack?: boolean;
  } = {};
  const ips: { word: string; family: Family }[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    const arg = words[i + 1];
    const takeIp = (): string | undefined => {
      const ip = arg === undefined ? undefined : parseIp(arg);
      if (ip === undefined) return undefined;
      ips.push({ word: arg ?? '', family: ip.family });
      i++;
      return ip.text;
    };
    const takeNum = (names: Readonly<Record<string, number>>, min: number): number | undefined => {
      const n = arg === undefined ? undefined : (names[arg] ?? u32(arg, min));
      if (n !== undefined) i++;
      return n;
    };
    if (i === 0 && TYPES.includes(w)) {
      type = w as RouteType;
    } else if (w === 'via' || w === 'src') {
      const ip = takeIp();
      if (ip === undefined) return bad(arg, `${w} needs an IP address`);
      o[w] = ip;
    } else if (w === 'dev' || w === 'oif') {
      if (arg === undefined || arg.length > 15) return bad(arg, `${w} needs an interface name`);
      o.dev = arg;
      i++;
    } else if (w === 'metric' || w === 'priority' || w === 'preference') {
      const n = takeNum({}, 0);
      if (n === undefined) return bad(arg, `${w} needs a number 0..${U32_MAX}`);
      o.metric = n;
    } else if (w === 'table') {
      const n = takeNum(TABLES, 1);
      if (n === undefined) return bad(arg, `table needs a table id 1..${U32_MAX} or a name`);
      o.table = n;
    } else if (w === 'proto' || w === 'protocol') {
      const n = takeNum(PROTOS, 0);
      if (n === undefined || n > 255) return bad(arg, `${w} needs a number 0..255 or a name`);
      o.protocol = n;
    } else if (w === 'scope') {
      if (arg === undefined || !isScope(arg))
        return bad(arg, 'scope must be global, site, link, host or nowhere');
      o.scope = arg;
      i++;
    } else if (w === 'no_track') {
      o.noTrack = true;
    } else if (dest === undefined && (w === 'to' || w === 'default' || parsePrefix(w))) {
      const text = w === 'to' ? arg : w;
      if (w === 'to') i++;
      if (text === 'default') dest = { text: '', prefixLength: 0 };
      else {
        const p = text === undefined ? undefined : parsePrefix(text);
        if (p === undefined) return bad(text, 'destination must be ADDRESS[/LEN] or default');
        dest = { family: p.family, text: p.text, prefixLength: p.prefixLength };
      }
    } else {
      return bad(w, `unsupported route option '${w}'`);
    }
  }
  if (dest === undefined) return bad(undefined, 'route has no destination');
  const family = dest.family ?? ips[0]?.family ?? 'inet';
  const mixed = ips.find((x) => x.family !== family);
  if (mixed !== undefined) return bad(mixed.word, `${mixed.word} is not an ${family} address`);
  if (type !== 'unicast' && o.via !== undefined)
    return bad('via', `a ${type} route takes no gateway`);
  const destText = dest.text !== '' ? dest.text : family === 'inet' ? '0.0.0.0' : '::';
  return {
    ok: true,
    value: { type, family, dest: destText, prefixLength: dest.prefixLength, ...o },
  };
}
