// keepalived's way of holding VIPs (`vip_mode address`, the default): each virtual_ipaddress and
// virtual_ipaddress_excluded line is added to its interface over rtnetlink with its label, scope,
// broadcast and flags, virtual_routes follow, and gratuitous ARPs / unsolicited neighbour
// advertisements tell the LAN. An address that is already there counts as held (a restart after
// kill -9 finds its old VIPs); one that is already gone counts as released.

import type { IpAddressSpec, VrrpInstance } from '../config/model.js';
import type { Logger } from '../lib/log.js';
import { addAddress, deleteAddress, type AddressSpec } from '../sys/rtnl-addr.js';
import { addRoute, deleteRoute, describeRoute } from '../sys/rtnl-route.js';
import { parseRouteWords, type RouteSpec } from '../sys/route-words.js';
import type { GarpReason, VipHolder } from './vips.js';
import { NeighbourAnnouncer } from '../sys/garp.js';

/** Sends one announcement round for `address` on `ifname` (GARP for IPv4, NA for IPv6). */
export type Announce = (ifname: string, address: string, family: 'inet' | 'inet6') => void;

type Senders = Map<string, Promise<NeighbourAnnouncer | undefined>>;

/** The open GARP/NA sender of an interface, opened on first use. */
function sender(
  log: Logger,
  senders: Senders,
  ifname: string,
): Promise<NeighbourAnnouncer | undefined> {
  let s = senders.get(ifname);
  if (s === undefined) {
    s = NeighbourAnnouncer.open(ifname).then((r) => {
      if (r.ok) return r.announcer;
      log.warn(
        { interface: ifname, code: r.code },
        `cannot send gratuitous ARPs on ${ifname} (${r.syscall}: ${r.code})`,
      );
      return undefined;
    });
    senders.set(ifname, s);
  }
  return s;
}

function addressSpec(inst: VrrpInstance, v: IpAddressSpec): AddressSpec | undefined {
  const ifname = v.dev ?? inst.interface;
  if (ifname === undefined) return undefined;
  return {
    ifname,
    address: v.address,
    prefixLength: v.prefixLength,
    family: v.family,
    ...(v.broadcast === undefined ? {} : { broadcast: v.broadcast }),
    ...(v.peer === undefined ? {} : { peer: v.peer }),
    ...(v.label === undefined ? {} : { label: v.label }),
    ...(v.scope === undefined ? {} : { scope: v.scope }),
    ...(v.noprefixroute ? { noprefixroute: true } : {}),
    ...(v.nodad ? { nodad: true } : {}),
    ...(v.home ? { home: true } : {}),
    ...(v.preferredLft === undefined ? {} : { preferredLft: v.preferredLft }),
  };
}

function routes(inst: VrrpInstance, log: Logger): RouteSpec[] {
  const out: RouteSpec[] = [];
  for (const r of inst.virtualRoutes) {
    const p = parseRouteWords(r.words);
    if (p.ok) out.push(p.value);
    else
      log.warn({ route: r.words.join(' ') }, `(${inst.name}) virtual route skipped: ${p.message}`);
  }
  return out;
}

export function addressVipHolder(log: Logger, announce?: Announce): VipHolder {
  const holding = new Map<string, string[]>();
  const senders: Senders = new Map();
  const announcer = announce ?? defaultAnnouncer(log, senders);
  const all = (inst: VrrpInstance): IpAddressSpec[] => [
    ...inst.virtualIpaddress,
    ...inst.virtualIpaddressExcluded,
  ];
  return {
    add(inst) {
      const held: string[] = [];
      for (const v of all(inst)) {
        const spec = addressSpec(inst, v);
        if (spec === undefined) continue;
        const r = addAddress(spec);
        if (r.ok || r.code === 'EEXIST') held.push(v.address);
        else
          log.error(
            { instance: inst.name, vip: v.address, code: r.code },
            `(${inst.name}) cannot add ${v.address}/${v.prefixLength} to ${spec.ifname ?? '?'}: ${r.message}`,
          );
      }
      for (const route of routes(inst, log)) {
        const r = addRoute(route);
        if (!r.ok && r.code !== 'EEXIST')
          log.error(
            { instance: inst.name, code: r.code },
            `(${inst.name}) cannot add route ${describeRoute(route)}: ${r.message}`,
          );
      }
      holding.set(inst.name, held);
      return Promise.resolve();
    },
    remove(inst) {
      for (const route of routes(inst, log)) deleteRoute(route);
      for (const v of all(inst)) {
        const spec = addressSpec(inst, v);
        if (spec === undefined) continue;
        const r = deleteAddress(spec);
        if (!r.ok && r.code !== 'EADDRNOTAVAIL')
          log.error(
            { instance: inst.name, vip: v.address, code: r.code },
            `(${inst.name}) cannot remove ${v.address}: ${r.message}`,
          );
      }
      holding.delete(inst.name);
      return Promise.resolve();
    },
    announce(inst, reason: GarpReason, count) {
      if (count <= 0) return;
      const say = announcer;
      const ifname = inst.interface ?? '?';
      log.debug(
        { reason },
        `(${inst.name}) Sending/queueing gratuitous ARPs on ${ifname} for ${all(inst)
          .map((v) => v.address)
          .join(' ')}`,
      );
      for (let i = 0; i < count; i++)
        for (const v of all(inst)) say(v.dev ?? ifname, v.address, v.family);
    },
    prepare(inst) {
      // The sender reads the interface's MAC and opens a socket; done before any takeover so the
      // first gratuitous ARP leaves right behind the first advert.
      if (announce !== undefined) return;
      for (const v of all(inst)) {
        const ifname = v.dev ?? inst.interface;
        if (ifname !== undefined) void sender(log, senders, ifname);
      }
    },
    held: (inst) => holding.get(inst.name) ?? [],
    close() {
      holding.clear();
      for (const s of senders.values()) void s.then((a) => a?.close());
      senders.clear();
    },
  };
}

/** Gratuitous ARP / unsolicited NA through src/sys/garp.ts, one open sender per interface. */
function defaultAnnouncer(log: Logger, senders: Senders): Announce {
  return (ifname, address, family) => {
    void sender(log, senders, ifname).then((a) => {
      if (a === undefined) return;
      const err = family === 'inet' ? a.gratuitousArp(address) : a.unsolicitedNa(address);
      const what =
        family === 'inet' ? 'Sending gratuitous ARP' : 'Sending unsolicited Neighbour Advert';
      if (err === undefined) log.debug({}, `${what} on ${ifname} for ${address}`);
      else log.warn({ code: err }, `${what} on ${ifname} for ${address} failed: ${err}`);
    });
  };
}
