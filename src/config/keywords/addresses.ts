// Address, route and rule lines: `virtual_ipaddress`, `virtual_ipaddress_excluded`,
// `static_ipaddress` (keepalived.conf(5) "Static addresses"; reference §1.4, §1.7), and the
// `ip route` / `ip rule` style lines of virtual_routes, virtual_rules, static_routes, static_rules.

import type { IpAddressSpec, RouteSpec } from '../model.js';
import type { Statement } from '../parser.js';
import { registerBlock, type BlockSpec, type Cx } from '../schema.js';
import { integer, ip, oneOf, pos, prefix } from '../values.js';
import { compact, type Draft } from './common.js';

const SCOPES = ['site', 'link', 'host', 'nowhere', 'global'] as const;
const BARE = {
  home: 'home',
  '-nodad': 'nodad',
  mngtmpaddr: 'mngtmpaddr',
  noprefixroute: 'noprefixroute',
  autojoin: 'autojoin',
  no_track: 'noTrack',
} as const;

/** Parses `IP[/LEN] [brd IP|+|-] [dev IF] [scope S] [label L] [peer IP] [flags…]`. */
export function parseAddressLine(st: Statement, cx: Cx): IpAddressSpec | undefined {
  const words = [st.keyword, ...st.args];
  const first = words[0];
  if (first === undefined) return undefined;
  const p = prefix(first, cx);
  if (p === undefined) return undefined;
  const out: Draft<IpAddressSpec> = {
    at: pos(first.at),
    address: p.text,
    family: p.family,
    prefixLength: p.prefixLength,
    home: false,
    nodad: false,
    mngtmpaddr: false,
    noprefixroute: false,
    autojoin: false,
    noTrack: false,
  };
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    if (w === undefined) break;
    const bare = (BARE as Readonly<Record<string, keyof typeof out>>)[w.text];
    if (bare !== undefined) {
      (out as Record<string, unknown>)[bare] = true;
      continue;
    }
    const v = words[i + 1];
    if (v === undefined) {
      cx.sink.error('CFG_MISSING_ARGUMENT', w.at, `'${w.text}' in an address line needs a value`);
      break;
    }
    i++;
    switch (w.text) {
      case 'brd':
      case 'broadcast':
        if (v.text === '+' || v.text === '-') out.broadcast = v.text;
        else out.broadcast = ip(v, cx, p.family)?.text;
        break;
      case 'dev':
        out.dev = v.text;
        break;
      case 'scope':
        out.scope = oneOf(v, cx, SCOPES, 'scope');
        break;
      case 'label':
        out.label = v.text;
        break;
      case 'peer':
        out.peer = ip(v, cx, p.family)?.text;
        break;
      case 'track_group':
        out.trackGroup = v.text;
        break;
      case 'preferred_lft':
        out.preferredLft = v.text === 'forever' ? 'forever' : integer(v, cx, 0, 0xffffffff);
        break;
      default:
        cx.sink.error(
          'CFG_INVALID_VALUE',
          w.at,
          `unknown address option '${w.text}': expected brd, dev, scope, label, peer, preferred_lft, home, -nodad, mngtmpaddr, noprefixroute, autojoin or no_track`,
        );
        i--;
    }
  }
  return compact<IpAddressSpec>(out);
}

export interface AddressList {
  readonly items: IpAddressSpec[];
}

function addressBlock(name: string, doc: string): BlockSpec<AddressList> {
  return registerBlock<AddressList>({
    name,
    doc,
    keywords: [],
    newDraft: () => ({ items: [] }),
    item: {
      syntax: 'IP[/LEN] [brd IP] [dev IF] [scope SCOPE] [label LABEL] [peer IP] [no_track] ...',
      apply: (d, st, cx) => {
        const a = parseAddressLine(st, cx);
        if (a !== undefined) d.items.push(a);
      },
    },
  });
}

export const virtualIpaddressBlock = addressBlock(
  'virtual_ipaddress',
  'Addresses the master holds (the VIPs), one per line.',
);
export const virtualIpaddressExcludedBlock = addressBlock(
  'virtual_ipaddress_excluded',
  'Addresses the master holds but does not advertise.',
);
export const staticIpaddressBlock = addressBlock(
  'static_ipaddress',
  'Addresses configured at start and never moved by VRRP.',
);

export interface RouteList {
  readonly items: RouteSpec[];
}

function routeBlock(name: string, doc: string): BlockSpec<RouteList> {
  return registerBlock<RouteList>({
    name,
    doc,
    keywords: [],
    newDraft: () => ({ items: [] }),
    item: {
      syntax: '`ip route` / `ip rule` arguments [no_track]',
      apply: (d, st) => {
        const words = [st.keyword, ...st.args].map((w) => w.text);
        const noTrack = words.includes('no_track');
        d.items.push({
          at: pos(st.keyword.at),
          words: words.filter((w) => w !== 'no_track'),
          noTrack,
        });
      },
    },
  });
}

export const virtualRoutesBlock = routeBlock('virtual_routes', 'Routes added while master.');
export const virtualRulesBlock = routeBlock('virtual_rules', 'Policy rules added while master.');
export const staticRoutesBlock = routeBlock('static_routes', 'Routes configured at start.');
export const staticRulesBlock = routeBlock('static_rules', 'Policy rules configured at start.');
