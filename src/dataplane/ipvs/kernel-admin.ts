// ipvsadm's commands on the kernel's own IPVS table, as libipvs carries them out: tandemadm with
// no daemon to talk to (docs/ipvs-kernel.md). Each command becomes one netlink request with what
// libipvs puts in it; the kernel's refusals come back as errnos and are worded by the command
// runner exactly as ipvsadm words them. Listings read the kernel (GET_INFO, the service and
// destination dumps, GET_CONFIG, GET_DAEMON) and /proc/net/ip_vs_conn for `-c`.

import type { IpvsadmBackend, Refusal } from '../../ipvs/index.js';
import type { ChangeCommand } from '../../ipvs/admin/backend.js';
import type { DaemonSpec, ServerAddress, ServerSpec } from '../../ipvs/admin/command.js';
import type { ServiceKey as CommandKey } from '../../ipvs/service-key.js';
import type { ConnSnapshot, ServiceSnapshot, TableSnapshot } from '../../ipvs/snapshot.js';
import { errnoText, type IpvsKernel, type IpvsResult } from '../../sys/ipvs-kernel.js';
import {
  ipvsVersionText,
  type IpvsDaemon,
  type IpvsDestKey,
  type IpvsDestSpec,
  type IpvsServiceKey,
  type IpvsServiceSpec,
} from '../../sys/ipvs-netlink.js';
import {
  destSpecOfSnapshot,
  flagsNumber,
  netmaskNumber,
  protocolNumber,
  serviceSnapshotOf,
} from './kernel-spec.js';
import { parseProcConns, readProcConns } from './proc-conns.js';

const NO_STATS = { conns: 0, inpkts: 0, outpkts: 0, inbytes: 0, outbytes: 0 };
const NO_RATES = { cps: 0, inpps: 0, outpps: 0, inbps: 0, outbps: 0 };

export function refusalOf(r: { readonly code: string }): Refusal {
  const text = errnoText(r.code);
  return text === undefined ? { errno: r.code } : { errno: r.code, strerror: text };
}

function done(r: IpvsResult<void>): Refusal | undefined {
  return r.ok ? undefined : refusalOf(r);
}

export function kernelServiceKey(k: CommandKey): IpvsServiceKey {
  if (k.kind === 'fwmark') {
    return { family: k.family, fwmark: k.fwmark, protocol: 0, address: '', port: 0 };
  }
  const protocol = protocolNumber(k.protocol);
  return { family: k.family, fwmark: 0, protocol, address: k.address, port: k.port };
}

type ServiceCommand = Extract<ChangeCommand, { command: 'add-service' | 'edit-service' }>;

function serviceSpec(cmd: ServiceCommand): IpvsServiceSpec {
  const key = kernelServiceKey(cmd.service);
  return {
    ...key,
    scheduler: cmd.scheduler,
    flags: flagsNumber(cmd.flags),
    timeout: cmd.timeout,
    netmask: netmaskNumber(key.family, cmd.netmask),
    ...(cmd.pe === undefined ? {} : { pe: cmd.pe }),
  };
}

function destSpec(s: ServerSpec): IpvsDestSpec {
  return destSpecOfSnapshot({
    ...s,
    activeConns: 0,
    inactConns: 0,
    persistConns: 0,
    overloaded: false,
    stats: NO_STATS,
    rates: NO_RATES,
  });
}

function destKey(s: ServerAddress): IpvsDestKey {
  return { family: s.family, address: s.address, port: s.port };
}

export function daemonOf(d: DaemonSpec): IpvsDaemon {
  return {
    state: d.state,
    mcastInterface: d.mcastInterface,
    syncId: d.syncId,
    ...(d.syncMaxlen === undefined ? {} : { syncMaxlen: d.syncMaxlen }),
    ...(d.mcastGroup === undefined ? {} : { mcastGroup: d.mcastGroup }),
    ...(d.mcastPort === undefined ? {} : { mcastPort: d.mcastPort }),
    ...(d.mcastTtl === undefined ? {} : { mcastTtl: d.mcastTtl }),
  };
}

/** The kernel's IPVS table as an ipvsadm target. */
export function kernelBackend(
  k: IpvsKernel,
  readConns: () => string | undefined = readProcConns,
): IpvsadmBackend {
  return {
    change(cmd) {
      switch (cmd.command) {
        case 'add-service':
          return done(k.newService(serviceSpec(cmd)));
        case 'edit-service':
          return done(k.setService(serviceSpec(cmd)));
        case 'delete-service':
          return done(k.delService(kernelServiceKey(cmd.service)));
        case 'add-server':
          return done(k.newDest(kernelServiceKey(cmd.service), destSpec(cmd.server)));
        case 'edit-server':
          return done(k.setDest(kernelServiceKey(cmd.service), destSpec(cmd.server)));
        case 'delete-server':
          return done(k.delDest(kernelServiceKey(cmd.service), destKey(cmd.server)));
        case 'clear':
          return done(k.flush());
        case 'zero':
          return done(
            k.zero(cmd.service === undefined ? undefined : kernelServiceKey(cmd.service)),
          );
        case 'set-timeout':
          return done(k.setTimeouts({ tcp: cmd.tcp, tcpfin: cmd.tcpfin, udp: cmd.udp }));
        case 'start-daemon':
          return done(k.startDaemon(daemonOf(cmd)));
        case 'stop-daemon':
          return done(k.stopDaemon(cmd.state));
      }
    },
    snapshot(): TableSnapshot | Refusal {
      const info = k.info();
      if (!info.ok) return refusalOf(info);
      const services = k.services();
      if (!services.ok) return refusalOf(services);
      const timeouts = k.timeouts();
      const out: ServiceSnapshot[] = [];
      for (const s of services.value) {
        const dests = k.dests(s);
        if (!dests.ok) return refusalOf(dests);
        out.push(serviceSnapshotOf(s, dests.value));
      }
      return {
        version: ipvsVersionText(info.value.version),
        connTabSize: info.value.connTabSize,
        services: out,
        totals: NO_STATS,
        totalRates: NO_RATES,
        timeouts: timeouts.ok ? timeouts.value : { tcp: 0, tcpfin: 0, udp: 0 },
      };
    },
    timeouts() {
      const t = k.timeouts();
      return t.ok ? t.value : refusalOf(t);
    },
    connections(): ConnSnapshot[] {
      const text = readConns();
      return text === undefined ? [] : parseProcConns(text);
    },
    daemons() {
      const d = k.daemons();
      return d.ok ? d.value : [];
    },
  };
}
