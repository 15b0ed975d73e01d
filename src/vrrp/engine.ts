// Every vrrp_instance of one configuration, with the sockets they share: keepalived's VRRP child
// (vrrp_scheduler.c) without its globals. Instances with the same transport key share one socket
// (the "sockpool") and packets are dispatched by VRID. Reload is a planned diff by instance name:
// an instance whose configuration did not change keeps its state and its VIPs; a changed one is
// restarted; a removed one gives its VIPs back. The engine runs wherever it is put — in-process
// for tests, in a worker thread in the daemon (engine-worker.ts) so data-plane load cannot delay
// an advert.

import type { Config, VrrpInstance } from '../config/model.js';
import { Instance, type InstanceStatus, type TransitionEvent } from './instance.js';
import {
  transportKey,
  type OpenTransport,
  type ReceivedPacket,
  type TransportSpec,
  type VrrpTransport,
} from './transport.js';
import type { VipHolder } from './vips.js';
import { syncGroupDecide, type SyncGroupStateName } from './sync-group.js';
import { EngineTracking, type TrackingDeps } from './engine-tracking.js';
import type { HeldVip, SplitBrainReport } from './split-brain.js';

export interface EngineDeps extends TrackingDeps {
  /** Opens a transport of the given kind. */
  readonly openTransport: (kind: 'raw' | 'udp') => OpenTransport;
  /** The VIP holder for an instance's vip_mode. */
  readonly vipHolder: (mode: 'address' | 'listener') => VipHolder;
  /** The address adverts leave from when unicast_src_ip is not set. */
  readonly interfaceAddress: (ifname: string, family: 'inet' | 'inet6') => string | undefined;
  readonly onTransition: (e: TransitionEvent) => void;
  /** A vrrp_sync_group changed state (its notify_* scripts and mails follow). */
  readonly onGroupTransition?: (e: GroupTransitionEvent) => void;
  /** Split-brain detection for address-mode masters (ARP probes of our own VIPs). */
  readonly splitBrain?: (held: () => readonly HeldVip[]) => SplitBrainWatch;
}

export interface GroupTransitionEvent {
  readonly group: string;
  readonly from: SyncGroupStateName;
  readonly to: SyncGroupStateName;
  /** Wall-clock milliseconds. */
  readonly at: number;
}

export interface SplitBrainWatch {
  active(): readonly SplitBrainReport[];
  readonly counters: {
    readonly probesSent: number;
    readonly episodes: number;
    readonly active: number;
  };
  close(): void;
}

interface PoolEntry {
  readonly transport: VrrpTransport;
  readonly byVrid: Map<number, Instance>;
}

export interface EngineStatus {
  readonly instances: readonly InstanceStatus[];
  readonly unknownVrid: number;
  readonly splitBrain: {
    readonly active: readonly SplitBrainReport[];
    readonly probesSent: number;
    readonly episodes: number;
  };
}

export class VrrpEngine {
  readonly #deps: EngineDeps;
  readonly #pool = new Map<string, PoolEntry>();
  readonly #instances = new Map<string, { inst: Instance; key: string; json: string }>();
  #config: Config | undefined;
  #unknownVrid = 0;
  readonly #groupState = new Map<string, SyncGroupStateName>();
  #deciding = false;
  readonly #tracking: EngineTracking;
  #splitBrain: SplitBrainWatch | undefined;

  constructor(deps: EngineDeps) {
    this.#deps = deps;
    this.#tracking = new EngineTracking(deps, {
      changed: (names) => {
        for (const n of names) this.#retrack(n);
      },
      link: (ifname) => {
        for (const [name, cur] of this.#instances)
          if (cur.inst.config.interface === ifname) this.#retrack(name);
      },
      addressRemoved: (ifname, address) => {
        for (const { inst } of this.#instances.values())
          if (inst.config.vipMode === 'address') inst.vipDeleted(address, ifname);
      },
    });
  }

  /** Start (or, on reload, reconcile) the configuration's instances. */
  async load(config: Config): Promise<void> {
    const wanted = new Map(config.vrrpInstances.map((i) => [i.name, i]));
    for (const [name, cur] of [...this.#instances]) {
      const next = wanted.get(name);
      if (next !== undefined && fingerprint(next) === cur.json) continue;
      this.#deps.log.info(
        { instance: name },
        next === undefined ? `(${name}) removed at reload` : `(${name}) changed at reload`,
      );
      await this.#drop(name);
    }
    this.#config = config;
    const rebuilt = this.#tracking.load(config);
    for (const inst of config.vrrpInstances) {
      if (this.#instances.has(inst.name)) {
        // Rebuilt trackers start without results: a kept instance waits for them (onChange)
        // rather than dropping to FAULT on every reload (the reload flaps keepalived.md §5 lists).
        if (rebuilt && !this.#tracking.pending(inst.name)) this.#retrack(inst.name);
        continue;
      }
      await this.#add(inst, config);
    }
    this.#closeUnused();
    this.#watchSplitBrain();
  }

  #retrack(name: string): void {
    const cur = this.#instances.get(name);
    if (cur === undefined) return;
    const v = this.#tracking.verdict(cur.inst.config);
    cur.inst.track(v.fault, v.priority);
  }

  #watchSplitBrain(): void {
    if (this.#splitBrain !== undefined || this.#deps.splitBrain === undefined) return;
    const watched = [...this.#instances.values()].some(
      (i) => i.inst.config.vipMode === 'address' && i.inst.config.family === 'inet',
    );
    if (!watched) return;
    this.#splitBrain = this.#deps.splitBrain(() => this.#heldVips());
  }

  /** IPv4 VIPs held as MASTER in address mode, with the interface and our address there. */
  #heldVips(): HeldVip[] {
    const out: HeldVip[] = [];
    for (const { inst } of this.#instances.values()) {
      const c = inst.config;
      if (inst.state !== 'MASTER' || c.vipMode !== 'address' || c.family !== 'inet') continue;
      const ifname = c.interface;
      if (ifname === undefined) continue;
      const source = this.#deps.interfaceAddress(ifname, 'inet');
      if (source === undefined) continue;
      for (const v of c.virtualIpaddress)
        out.push({
          instance: c.name,
          ifname: v.dev ?? ifname,
          vip: v.address,
          source,
          ...(c.vrrpTransport === 'udp'
            ? { advertPath: `VRRP over UDP port ${c.vrrpUdpPort}` }
            : {}),
        });
    }
    return out;
  }

  async #add(c: VrrpInstance, config: Config): Promise<void> {
    const log = this.#deps.log.child({ subsys: 'vrrp', instance: c.name });
    const spec = this.#spec(c);
    if (spec === undefined) {
      log.error(
        { interface: c.interface },
        `(${c.name}) no source address: interface ${c.interface ?? '?'} has no ${c.family === 'inet' ? 'IPv4' : 'IPv6'} address and unicast_src_ip is not set`,
      );
      return;
    }
    const key = transportKey(spec);
    let entry = this.#pool.get(key);
    if (entry === undefined) {
      const byVrid = new Map<number, Instance>();
      const r = await this.#deps.openTransport(spec.kind)(spec, (p) =>
        this.#route(byVrid, spec, p),
      );
      if (!r.ok) {
        log.error({ code: r.code }, `(${c.name}) ${r.message}`);
        return;
      }
      entry = { transport: r.transport, byVrid };
      this.#pool.set(key, entry);
    }
    const inst = new Instance(c, {
      clock: this.#deps.clock,
      log,
      transport: entry.transport,
      vips: this.#deps.vipHolder(c.vipMode),
      globals: config.global,
      onTransition: this.#deps.onTransition,
      ...(c.syncGroup === undefined ? {} : { onStep: () => this.#sync(c.syncGroup ?? '') }),
    });
    entry.byVrid.set(c.virtualRouterId, inst);
    this.#instances.set(c.name, { inst, key, json: fingerprint(c) });
    const v = this.#tracking.verdict(c);
    inst.start(v.fault, v.priority);
  }

  #spec(c: VrrpInstance): TransportSpec | undefined {
    const source =
      c.unicastSrcIp ??
      (c.interface === undefined ? undefined : this.#deps.interfaceAddress(c.interface, c.family));
    if (source === undefined && c.vrrpTransport === 'raw') return undefined;
    return {
      kind: c.vrrpTransport,
      family: c.family,
      ...(c.interface === undefined ? {} : { ifname: c.interface }),
      ...(source === undefined ? {} : { source }),
      ...(c.unicastPeer.length > 0 ? {} : { multicastGroup: c.mcastDstIp }),
      ttl: c.unicastPeer.length > 0 ? c.unicastTtl : 255,
      port: c.vrrpUdpPort,
    };
  }

  #route(byVrid: Map<number, Instance>, spec: TransportSpec, p: ReceivedPacket): void {
    const vrid = p.payload[1];
    const inst = vrid === undefined ? undefined : byVrid.get(vrid);
    if (inst !== undefined) {
      inst.receive(p);
      return;
    }
    this.#unknownVrid++;
    if (this.#config?.global.logUnknownVrids === true)
      this.#deps.log.info(
        { vrid, from: p.src },
        `Unknown VRID(${vrid ?? '?'}) received on interface(${spec.ifname ?? spec.source ?? '?'}). ignoring...`,
      );
  }

  /** keepalived.md §2.6: after a member steps, the group may force the others along. */
  #sync(group: string): void {
    if (this.#deciding) return;
    const g = this.#config?.vrrpSyncGroups.find((x) => x.name === group);
    if (g === undefined) return;
    const members = g.group.flatMap((n) => {
      const i = this.#instances.get(n)?.inst;
      return i === undefined ? [] : [i];
    });
    this.#deciding = true;
    try {
      const d = syncGroupDecide(
        group,
        this.#groupState.get(group) ?? 'INIT',
        members.map((m) => m.view()),
      );
      const before = this.#groupState.get(group) ?? 'INIT';
      this.#groupState.set(group, d.groupState);
      if (d.groupState !== before)
        this.#deps.onGroupTransition?.({ group, from: before, to: d.groupState, at: Date.now() });
      const log = this.#deps.log.child({ subsys: 'vrrp', group });
      for (const a of d.actions) if (a.type === 'log') log[a.level]({}, a.msg);
      for (const f of d.forced) members.find((m) => m.config.name === f.member)?.inject(f.event);
    } finally {
      this.#deciding = false;
    }
  }

  async #drop(name: string): Promise<void> {
    const cur = this.#instances.get(name);
    if (cur === undefined) return;
    this.#instances.delete(name);
    await cur.inst.shutdown();
    this.#pool.get(cur.key)?.byVrid.delete(cur.inst.config.virtualRouterId);
  }

  #closeUnused(): void {
    for (const [key, entry] of [...this.#pool]) {
      if (entry.byVrid.size > 0) continue;
      this.#pool.delete(key);
      entry.transport.close();
    }
  }

  /** Tracking results for one instance (trackers.ts + priority.ts). */
  track(name: string, fault: boolean, effective: number): void {
    this.#instances.get(name)?.inst.track(fault, effective);
  }

  instance(name: string): Instance | undefined {
    return this.#instances.get(name)?.inst;
  }

  status(): EngineStatus {
    const sb = this.#splitBrain;
    return {
      instances: [...this.#instances.values()].map((i) => i.inst.status()),
      unknownVrid: this.#unknownVrid,
      splitBrain: {
        active: sb?.active() ?? [],
        probesSent: sb?.counters.probesSent ?? 0,
        episodes: sb?.counters.episodes ?? 0,
      },
    };
  }

  /** SIGTERM: every master sends priority 0 and releases its VIPs, then the sockets close. */
  async stop(): Promise<void> {
    this.#splitBrain?.close();
    this.#tracking.close();
    await Promise.all([...this.#instances.keys()].map((n) => this.#drop(n)));
    this.#closeUnused();
  }
}

/** What makes two configurations of an instance the same (positions excluded). */
function fingerprint(c: VrrpInstance): string {
  return JSON.stringify(c, (k, v: unknown) => (k === 'at' ? undefined : v));
}
