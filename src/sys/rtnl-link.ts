// Network interfaces over rtnetlink (RTM_GETLINK, rtnetlink(7)): index, name, MAC, MTU and
// whether the link can carry traffic. "Up" is keepalived's test for a tracked interface: the
// administrative IFF_UP and the operational IFF_RUNNING (set by the kernel when the operstate
// is UP or UNKNOWN, as on dummy and loopback devices; linux/if.h, RFC 2863 operstates).

import { fail, rtnlRequest, type RtnlFailure } from './netlink.js';
import { decodeIfInfoMsg, encodeIfInfoMsg, NLM_F, RTM, type NlMessage } from './rtnl-codec.js';
import { attrString, attrString0, attrU32Of, findAttr } from './rtnl-attrs.js';

// linux/if_link.h IFLA_*, linux/if.h IFF_* and IF_OPER_*.
const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_OPERSTATE = 16;
const IFF_UP = 0x1;
const IFF_RUNNING = 0x40;
const OPERSTATES = [
  'unknown',
  'notpresent',
  'down',
  'lowerlayerdown',
  'testing',
  'dormant',
  'up',
] as const;

export interface LinkInfo {
  readonly ifindex: number;
  readonly ifname: string;
  /** IFF_UP and IFF_RUNNING: administratively up with a working carrier. */
  readonly up: boolean;
  readonly adminUp: boolean;
  readonly operstate: string;
  /** Colon-separated lower-case hex ('' for links without a hardware address). */
  readonly mac: string;
  readonly mtu: number;
}

export type LinkResult = { readonly ok: true; readonly value: LinkInfo } | RtnlFailure;
export type LinksResult = { readonly ok: true; readonly value: readonly LinkInfo[] } | RtnlFailure;

/** Decode an RTM_NEWLINK (or RTM_DELLINK) message; undefined if it is malformed. */
export function linkFromMessage(m: NlMessage): LinkInfo | undefined {
  const p = decodeIfInfoMsg(m.payload);
  if (!p.ok) return undefined;
  const { header, attrs } = p.value;
  const ifname = attrString0(attrs, IFLA_IFNAME);
  if (ifname === undefined) return undefined;
  const mac = Array.from(findAttr(attrs, IFLA_ADDRESS) ?? [], (b) =>
    b.toString(16).padStart(2, '0'),
  ).join(':');
  const oper = findAttr(attrs, IFLA_OPERSTATE)?.[0] ?? 0;
  const adminUp = (header.flags & IFF_UP) !== 0;
  return {
    ifindex: header.ifindex,
    ifname,
    up: adminUp && (header.flags & IFF_RUNNING) !== 0,
    adminUp,
    operstate: OPERSTATES[oper] ?? `operstate ${oper}`,
    mac,
    mtu: attrU32Of(attrs, IFLA_MTU) ?? 0,
  };
}

const noFilter = { family: 0, type: 0, ifindex: 0, flags: 0, change: 0 };

export function listLinks(): LinksResult {
  const r = rtnlRequest({ type: RTM.GETLINK, flags: NLM_F.DUMP, body: encodeIfInfoMsg(noFilter) });
  if (!r.ok) return r;
  const links: LinkInfo[] = [];
  for (const m of r.messages) {
    const l = m.type === RTM.NEWLINK ? linkFromMessage(m) : undefined;
    if (l !== undefined) links.push(l);
  }
  return { ok: true, value: links };
}

/** One link by name or index; ENODEV when there is none. */
export function getLink(ref: string | number): LinkResult {
  const byName = typeof ref === 'string';
  if (byName && (ref.length === 0 || ref.length > 15))
    return fail('ENODEV', `no such interface: ${ref}`);
  const r = rtnlRequest({
    type: RTM.GETLINK,
    flags: 0,
    body: encodeIfInfoMsg({ ...noFilter, ifindex: byName ? 0 : ref }),
    attrs: byName ? [attrString(IFLA_IFNAME, ref)] : [],
  });
  if (!r.ok) return r.code === 'ENODEV' ? fail('ENODEV', `no such interface: ${ref}`) : r;
  const first = r.messages[0];
  const link = first === undefined ? undefined : linkFromMessage(first);
  return link === undefined
    ? fail('EPROTO', 'no link in the kernel reply')
    : { ok: true, value: link };
}

/** The index of `{ ifindex }` as given, or of `{ ifname }` looked up. */
export function resolveIfindex(ref: {
  readonly ifindex?: number;
  readonly ifname?: string;
}): { readonly ok: true; readonly ifindex: number } | RtnlFailure {
  if (ref.ifindex !== undefined) return { ok: true, ifindex: ref.ifindex };
  if (ref.ifname === undefined) return fail('EINVAL', 'an interface name or index is required');
  const l = getLink(ref.ifname);
  return l.ok ? { ok: true, ifindex: l.value.ifindex } : l;
}
