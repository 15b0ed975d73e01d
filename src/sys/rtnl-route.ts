// Routes over rtnetlink (RTM_NEWROUTE / RTM_DELROUTE; linux/rtnetlink.h) for keepalived's
// virtual_routes, from a RouteSpec parsed by route-words.ts. Defaults follow `ip route`: table
// main, protocol boot, scope link for a gateway-less unicast route and universe otherwise. A
// delete leaves protocol, scope and (for unicast) type as wildcards, as `ip route del` does, so
// it removes the route whatever the kernel recorded for those.

import { fail, rtnlRequest, type RtnlFailure } from './netlink.js';
import { encodeRtMsg, NLM_F, RTM, type RtAttr } from './rtnl-codec.js';
import { addressBytes, attrU32, familyNumber } from './rtnl-attrs.js';
import { resolveIfindex } from './rtnl-link.js';
import { SCOPES } from './rtnl-scope.js';
import type { RouteSpec, RouteType } from './route-words.js';

// linux/rtnetlink.h RTA_*, RTN_*, RTPROT_*, RT_TABLE_*.
const RTA_DST = 1;
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RTA_PRIORITY = 6;
const RTA_PREFSRC = 7;
const RTA_TABLE = 15;
const RTN: Readonly<Record<RouteType, number>> = {
  unicast: 1,
  blackhole: 6,
  unreachable: 7,
  prohibit: 8,
};
const RTPROT_BOOT = 3;
const RT_TABLE_MAIN = 254;

export type RouteResult = { readonly ok: true } | RtnlFailure;

/** EEXIST when the same route is already in the table. */
export function addRoute(spec: RouteSpec): RouteResult {
  return change(RTM.NEWROUTE, NLM_F.CREATE | NLM_F.EXCL, spec);
}

/** ESRCH when no route matches. */
export function deleteRoute(spec: RouteSpec): RouteResult {
  return change(RTM.DELROUTE, 0, spec);
}

function change(type: number, flags: number, spec: RouteSpec): RouteResult {
  const adding = type === RTM.NEWROUTE;
  const attrs: RtAttr[] = [];
  const ip = (attr: number, text: string | undefined): boolean => {
    if (text === undefined) return true;
    const b = addressBytes(spec.family, text);
    if (b !== undefined) attrs.push({ type: attr, value: b });
    return b !== undefined;
  };
  if (spec.prefixLength > 0 && !ip(RTA_DST, spec.dest))
    return fail('EINVAL', `bad destination ${spec.dest}`);
  if (!ip(RTA_GATEWAY, spec.via)) return fail('EINVAL', `bad gateway ${String(spec.via)}`);
  if (!ip(RTA_PREFSRC, spec.src)) return fail('EINVAL', `bad source ${String(spec.src)}`);
  if (spec.dev !== undefined) {
    const idx = resolveIfindex({ ifname: spec.dev });
    if (!idx.ok) return idx;
    attrs.push(attrU32(RTA_OIF, idx.ifindex));
  }
  if (spec.metric !== undefined) attrs.push(attrU32(RTA_PRIORITY, spec.metric));
  const table = spec.table ?? RT_TABLE_MAIN;
  attrs.push(attrU32(RTA_TABLE, table));
  const defaultScope =
    spec.type === 'unicast' && spec.via === undefined ? SCOPES.link : SCOPES.global;
  const body = encodeRtMsg({
    family: familyNumber(spec.family),
    dstLen: spec.prefixLength,
    srcLen: 0,
    tos: 0,
    // Table ids past 255 exist only in RTA_TABLE; rtm_table then says RT_TABLE_UNSPEC.
    table: table < 256 ? table : 0,
    protocol: spec.protocol ?? (adding ? RTPROT_BOOT : 0),
    scope: spec.scope !== undefined ? SCOPES[spec.scope] : adding ? defaultScope : SCOPES.nowhere,
    type: adding || spec.type !== 'unicast' ? RTN[spec.type] : 0,
    flags: 0,
  });
  const r = rtnlRequest({ type, flags, body, attrs });
  if (r.ok) return { ok: true };
  return fail(r.code, `${r.message} (${describeRoute(spec)})`);
}

/** The route in `ip route` words, for messages. */
export function describeRoute(spec: RouteSpec): string {
  const words = [spec.type === 'unicast' ? '' : spec.type, `${spec.dest}/${spec.prefixLength}`];
  if (spec.via !== undefined) words.push('via', spec.via);
  if (spec.dev !== undefined) words.push('dev', spec.dev);
  if (spec.src !== undefined) words.push('src', spec.src);
  if (spec.metric !== undefined) words.push('metric', String(spec.metric));
  if (spec.table !== undefined) words.push('table', String(spec.table));
  return words.filter((w) => w !== '').join(' ');
}
