// Interface addresses over rtnetlink (RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR; linux/if_addr.h),
// shaped after keepalived's VIP line (keepalived.md §1.7): `IP/LEN brd B dev IF scope S label L
// peer P home -nodad noprefixroute preferred_lft N|forever`. Adds use NLM_F_EXCL, so an address
// that is already there comes back as EEXIST, which callers read as "already held". IPv6 /128
// VIPs default to preferred_lft 0 (deprecated, RFC 4862 §5.5.4) as keepalived adds them, so the
// source-address selection of RFC 6724 rule 3 does not pick the VIP for the host's own traffic.

import { ipv4ToNumber, numberToIpv4, parseIp, type Family } from '../lib/inet.js';
import { fail, rtnlRequest, type RtnlFailure } from './netlink.js';
import { decodeIfAddrMsg, encodeIfAddrMsg, NLM_F, RTM, type RtAttr } from './rtnl-codec.js';
import {
  addressBytes,
  addressText,
  attrString,
  attrString0,
  attrU32,
  attrU32Of,
  familyNumber,
  findAttr,
  AF_INET,
  AF_INET6,
  u32At,
} from './rtnl-attrs.js';
import { listLinks, resolveIfindex } from './rtnl-link.js';
import { SCOPES, scopeName, type Scope } from './rtnl-scope.js';

// linux/if_addr.h IFA_* attributes and IFA_F_* flags.
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_LABEL = 3;
const IFA_BROADCAST = 4;
const IFA_CACHEINFO = 6;
const IFA_FLAGS = 8;
const IFA_F = {
  secondary: 0x01,
  nodad: 0x02,
  optimistic: 0x04,
  dadfailed: 0x08,
  home: 0x10,
  deprecated: 0x20,
  tentative: 0x40,
  permanent: 0x80,
  mngtmpaddr: 0x100,
  noprefixroute: 0x200,
  autojoin: 0x400,
  'stable-privacy': 0x800,
} as const;
const INFINITY_LIFE_TIME = 0xffffffff;

export interface AddressSpec {
  readonly ifname?: string;
  readonly ifindex?: number;
  readonly address: string;
  readonly prefixLength: number;
  readonly family: Family;
  /** A broadcast address, or '+' for the prefix's all-ones host part (IPv4 only). */
  readonly broadcast?: string;
  readonly peer?: string;
  /** IPv4 only; ifconfig-compatible labels are `IF:xxx`. */
  readonly label?: string;
  readonly scope?: Scope;
  readonly noprefixroute?: boolean;
  readonly nodad?: boolean;
  readonly home?: boolean;
  readonly mngtmpaddr?: boolean;
  readonly autojoin?: boolean;
  /** Seconds; IPv6 /128 defaults to 0 (deprecated), everything else to forever. */
  readonly preferredLft?: number | 'forever';
}

export interface AddressInfo {
  readonly ifindex: number;
  readonly ifname: string;
  readonly family: Family;
  readonly address: string;
  readonly prefixLength: number;
  readonly peer?: string;
  readonly broadcast?: string;
  /** IFA_LABEL (IPv4 only; the kernel reports the interface name when none was given). */
  readonly label?: string;
  readonly scope: string;
  /** iproute2's names of the IFA_F_* flags set ('secondary', 'nodad', 'deprecated', ...). */
  readonly flags: readonly string[];
  readonly preferredLft: number | 'forever';
  readonly validLft: number | 'forever';
}

export type AddrResult = { readonly ok: true } | RtnlFailure;
export type AddressesResult =
  { readonly ok: true; readonly value: readonly AddressInfo[] } | RtnlFailure;

export interface AddressFilter {
  readonly family?: Family;
  readonly ifindex?: number;
  readonly ifname?: string;
}

export function addAddress(spec: AddressSpec): AddrResult {
  return change(RTM.NEWADDR, NLM_F.CREATE | NLM_F.EXCL, spec);
}

/** EADDRNOTAVAIL when the address is not on the interface. */
export function deleteAddress(spec: AddressSpec): AddrResult {
  return change(RTM.DELADDR, 0, spec);
}

function change(type: number, flags: number, spec: AddressSpec): AddrResult {
  const built = buildAttrs(spec, type === RTM.NEWADDR);
  if (!built.ok) return built;
  const idx = resolveIfindex(spec);
  if (!idx.ok) return idx;
  const ifaFlags = flagBits(spec);
  const body = encodeIfAddrMsg({
    family: familyNumber(spec.family),
    prefixLength: spec.prefixLength,
    flags: ifaFlags & 0xff,
    scope: SCOPES[spec.scope ?? 'global'],
    ifindex: idx.ifindex,
  });
  const attrs = ifaFlags > 0xff ? [...built.attrs, attrU32(IFA_FLAGS, ifaFlags)] : built.attrs;
  const r = rtnlRequest({ type, flags, body, attrs });
  if (r.ok) return { ok: true };
  const what = `${spec.address}/${spec.prefixLength} on ${spec.ifname ?? `ifindex ${idx.ifindex}`}`;
  return fail(r.code, `${r.message} (${what})`);
}

function flagBits(spec: AddressSpec): number {
  let f = 0;
  if (spec.nodad === true) f |= IFA_F.nodad;
  if (spec.home === true) f |= IFA_F.home;
  if (spec.mngtmpaddr === true) f |= IFA_F.mngtmpaddr;
  if (spec.noprefixroute === true) f |= IFA_F.noprefixroute;
  if (spec.autojoin === true) f |= IFA_F.autojoin;
  return f;
}

type Built = { readonly ok: true; readonly attrs: readonly RtAttr[] } | RtnlFailure;

function buildAttrs(spec: AddressSpec, adding: boolean): Built {
  const max = spec.family === 'inet' ? 32 : 128;
  const local = addressBytes(spec.family, spec.address);
  if (local === undefined) return fail('EINVAL', `not an ${spec.family} address: ${spec.address}`);
  if (!Number.isInteger(spec.prefixLength) || spec.prefixLength < 0 || spec.prefixLength > max)
    return fail('EINVAL', `bad prefix length /${spec.prefixLength}`);
  const peer = spec.peer === undefined ? local : addressBytes(spec.family, spec.peer);
  if (peer === undefined) return fail('EINVAL', `bad peer address: ${String(spec.peer)}`);
  const attrs: RtAttr[] = [
    { type: IFA_LOCAL, value: local },
    { type: IFA_ADDRESS, value: peer },
  ];
  if (spec.broadcast !== undefined) {
    if (spec.family !== 'inet') return fail('EINVAL', 'broadcast is IPv4 only');
    const brd = spec.broadcast === '+' ? allOnes(spec.address, spec.prefixLength) : spec.broadcast;
    const bytes = addressBytes('inet', brd);
    if (bytes === undefined) return fail('EINVAL', `bad broadcast address: ${spec.broadcast}`);
    attrs.push({ type: IFA_BROADCAST, value: bytes });
  }
  if (spec.label !== undefined) {
    if (spec.family !== 'inet') return fail('EINVAL', 'labels are IPv4 only');
    if (spec.label.length === 0 || spec.label.length > 15)
      return fail('EINVAL', `bad label: ${spec.label}`);
    attrs.push(attrString(IFA_LABEL, spec.label));
  }
  const preferred =
    spec.preferredLft ?? (spec.family === 'inet6' && spec.prefixLength === 128 ? 0 : undefined);
  if (adding && preferred !== undefined) {
    const p = preferred === 'forever' ? INFINITY_LIFE_TIME : preferred;
    if (!Number.isInteger(p) || p < 0 || p > INFINITY_LIFE_TIME)
      return fail('EINVAL', `bad preferred_lft: ${String(preferred)}`);
    // struct ifa_cacheinfo { ifa_prefered, ifa_valid, cstamp, tstamp }; valid stays forever.
    const info = new Uint8Array(16);
    info.set(attrU32(0, p).value, 0);
    info.set(attrU32(0, INFINITY_LIFE_TIME).value, 4);
    attrs.push({ type: IFA_CACHEINFO, value: info });
  }
  return { ok: true, attrs };
}

function allOnes(address: string, prefixLength: number): string {
  const hostMask = prefixLength >= 32 ? 0 : 0xffffffff >>> prefixLength;
  return numberToIpv4((ipv4ToNumber(parseIp(address)?.text ?? '0.0.0.0') | hostMask) >>> 0);
}

/** Every address (RTM_GETADDR dump), optionally of one family or interface. */
export function listAddresses(filter: AddressFilter = {}): AddressesResult {
  const links = listLinks();
  if (!links.ok) return links;
  const names = new Map(links.value.map((l) => [l.ifindex, l.ifname]));
  const family = filter.family === undefined ? 0 : familyNumber(filter.family);
  const r = rtnlRequest({
    type: RTM.GETADDR,
    flags: NLM_F.DUMP,
    body: encodeIfAddrMsg({ family, prefixLength: 0, flags: 0, scope: 0, ifindex: 0 }),
  });
  if (!r.ok) return r;
  const out: AddressInfo[] = [];
  for (const m of r.messages) {
    if (m.type !== RTM.NEWADDR) continue;
    const a = addressFromPayload(m.payload, names);
    if (a === undefined) continue;
    if (filter.family !== undefined && a.family !== filter.family) continue;
    if (filter.ifindex !== undefined && a.ifindex !== filter.ifindex) continue;
    if (filter.ifname !== undefined && a.ifname !== filter.ifname) continue;
    out.push(a);
  }
  return { ok: true, value: out };
}

/** Decode an RTM_NEWADDR / RTM_DELADDR payload; undefined if malformed or not IPv4/IPv6. */
export function addressFromPayload(
  payload: Uint8Array,
  names: ReadonlyMap<number, string>,
): AddressInfo | undefined {
  const p = decodeIfAddrMsg(payload);
  if (!p.ok) return undefined;
  const { header: h, attrs } = p.value;
  if (h.family !== AF_INET && h.family !== AF_INET6) return undefined;
  const localB = findAttr(attrs, IFA_LOCAL);
  const addrB = findAttr(attrs, IFA_ADDRESS);
  const address = addressText(localB ?? addrB ?? new Uint8Array(0));
  if (address === undefined) return undefined;
  const other = addrB === undefined ? undefined : addressText(addrB);
  const brdB = findAttr(attrs, IFA_BROADCAST);
  const broadcast = brdB === undefined ? undefined : addressText(brdB);
  const label = attrString0(attrs, IFA_LABEL);
  const bits = attrU32Of(attrs, IFA_FLAGS) ?? h.flags;
  const cache = findAttr(attrs, IFA_CACHEINFO);
  const life = (at: number): number | 'forever' => {
    const n = cache === undefined ? undefined : u32At(cache, at);
    return n === undefined || n === INFINITY_LIFE_TIME ? 'forever' : n;
  };
  return {
    ifindex: h.ifindex,
    ifname: names.get(h.ifindex) ?? label?.split(':')[0] ?? `if${h.ifindex}`,
    family: h.family === AF_INET ? 'inet' : 'inet6',
    address,
    prefixLength: h.prefixLength,
    ...(localB !== undefined && other !== undefined && other !== address ? { peer: other } : {}),
    ...(broadcast === undefined ? {} : { broadcast }),
    ...(label === undefined ? {} : { label }),
    scope: scopeName(h.scope),
    flags: Object.entries(IFA_F)
      .filter(([, bit]) => (bits & bit) !== 0)
      .map(([name]) => name),
    preferredLft: life(0),
    validLft: life(4),
  };
}
