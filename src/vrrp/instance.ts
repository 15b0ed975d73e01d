// The runtime shell of one vrrp_instance (house style §18): it owns the real timer and turns the
// pure state machine's actions into packets, VIP changes and events. Everything that decides —
// elections, timers, keepalived's log wording — is in state.ts; this file only carries out, so
// the same transitions run under a ManualClock in the unit tests and on the wire here.

import type { GlobalDefs, VrrpInstance } from '../config/model.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import { encodeAdvert, type Advert } from './packet.js';
import { checkAdvert, passwordBytes, type ReceiveParams, type RxRejectReason } from './receive.js';
import { garpCount, newInstanceStats, receiveParams, type InstanceStats } from './instance-data.js';
import {
  initialState,
  nextDeadline,
  step,
  type VrrpAction,
  type VrrpEvent,
  type VrrpInstanceState,
  type VrrpParams,
  type VrrpStateName,
} from './state.js';
import { paramsFromConfig } from './params.js';
import type { ReceivedPacket, VrrpTransport } from './transport.js';
import type { VipHolder } from './vips.js';

/** A state change, as the notification subsystem and the daemon consume it. */
export interface TransitionEvent {
  readonly instance: string;
  readonly from: VrrpStateName;
  readonly to: VrrpStateName;
  readonly priority: number;
  /** Wall-clock milliseconds. */
  readonly at: number;
}

export interface InstanceStatus {
  readonly name: string;
  readonly state: VrrpStateName;
  readonly vrid: number;
  readonly priority: number;
  readonly effectivePriority: number;
  readonly masterAddress?: string;
  readonly source: string;
  readonly vips: readonly string[];
  readonly stats: Readonly<InstanceStats>;
}

export interface InstanceDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly transport: VrrpTransport;
  readonly vips: VipHolder;
  readonly globals: GlobalDefs;
  readonly onTransition: (e: TransitionEvent) => void;
  /** After every step: the engine's sync-group logic looks at the members here. */
  readonly onStep?: (inst: Instance) => void;
}

/** The stretch before a deadline waited out turn by turn rather than with a timer. */
const PRECISE_MS = 2;

/** Rejected-packet warnings: at most one per reason per this many ms (keepalived rate-limits). */
const REJECT_LOG_MS = 10_000;

export class Instance {
  readonly config: VrrpInstance;
  readonly #deps: InstanceDeps;
  readonly #params: VrrpParams;
  readonly #rx: ReceiveParams;
  #state: VrrpInstanceState;
  #cancelTimer: (() => void) | undefined;
  #timerAt: number | undefined;
  readonly #stats: InstanceStats;
  readonly #lastRejectLog = new Map<RxRejectReason, number>();
  /** VIP changes run in order even though netlink calls are asynchronous. */
  #vipChain: Promise<void> = Promise.resolve();

  constructor(config: VrrpInstance, deps: InstanceDeps) {
    this.config = config;
    this.#deps = deps;
    this.#params = { ...paramsFromConfig(config, deps.globals), ownAddress: deps.transport.source };
    this.#rx = receiveParams(config);
    this.#state = initialState(this.#params);
    this.#stats = newInstanceStats();
  }

  get state(): VrrpStateName {
    return this.#state.state;
  }

  start(faulty = false, effectivePriority = this.config.priority): void {
    this.#deps.vips.prepare?.(this.config);
    this.#state = initialState(this.#params, { faulty, effectivePriority });
    this.#dispatch({ type: 'start' });
  }

  /** What the sync group rules look at. */
  view(): { name: string; state: VrrpStateName; wantState: 'MASTER' | 'BACKUP'; faulty: boolean } {
    const s = this.#state;
    return { name: this.config.name, state: s.state, wantState: s.wantState, faulty: s.faulty };
  }

  /**
   * A VIP of this master was deleted behind its back (keepalived 2.x, unless `no_track`): send
   * priority 0 so a backup takes over at once, and go BACKUP; the VIPs are re-added the next
   * time this instance becomes master.
   */
  vipDeleted(address: string, ifname: string): void {
    if (this.#state.state !== 'MASTER') return;
    const spec = [...this.config.virtualIpaddress, ...this.config.virtualIpaddressExcluded].find(
      (v) => v.address === address,
    );
    if (spec === undefined || spec.noTrack) return;
    this.#deps.log.info(
      { vip: address, interface: ifname },
      `Netlink reflector reports IP ${address} removed from ${ifname}`,
    );
    this.#dispatch({ type: 'sync', to: 'BACKUP' });
    this.#send(0);
    this.#deps.log.debug({}, `(${this.config.name}) sent 0 priority`);
  }

  /** An event decided elsewhere (the sync group). */
  inject(event: VrrpEvent): void {
    this.#dispatch(event);
  }

  /** A VRRP message for this instance's VRID arrived on its transport. */
  receive(p: ReceivedPacket): void {
    const master = this.#state.masterAddress;
    const r = checkAdvert(this.#rx, p, master === undefined ? {} : { currentMaster: master });
    if (!r.ok) {
      this.#stats.rejected[r.reason]++;
      const now = this.#deps.clock.now();
      const last = this.#lastRejectLog.get(r.reason);
      if (last === undefined || now - last >= REJECT_LOG_MS) {
        this.#lastRejectLog.set(r.reason, now);
        this.#deps.log.warn({ reason: r.reason, from: p.src }, `(${this.config.name}) ${r.detail}`);
      }
      return;
    }
    this.#stats.advertsReceived++;
    if (r.advert.priority === 0) this.#stats.priorityZeroReceived++;
    this.#dispatch({
      type: 'advert',
      from: p.src,
      priority: r.advert.priority,
      advertIntCs: r.advert.advertIntCs,
    });
  }

  /** Tracking changed: a new effective priority, or a fault set / cleared. */
  track(fault: boolean, effective: number): void {
    if (fault !== this.#state.faulty) this.#dispatch({ type: 'fault', faulty: fault });
    if (!fault && effective !== this.#state.effectivePriority)
      this.#dispatch({ type: 'priority', effective });
  }

  /** Orderly stop: a master sends priority 0 and gives the VIPs back. Resolves when done. */
  async shutdown(): Promise<void> {
    this.#dispatch({ type: 'shutdown' });
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    await this.#vipChain;
  }

  status(): InstanceStatus {
    const s = this.#state;
    return {
      name: this.config.name,
      state: s.state,
      vrid: this.config.virtualRouterId,
      priority: this.config.priority,
      effectivePriority: s.effectivePriority,
      ...(s.masterAddress === undefined ? {} : { masterAddress: s.masterAddress }),
      source: this.#deps.transport.source,
      vips: this.#deps.vips.held(this.config),
      stats: { ...this.#stats, rejected: { ...this.#stats.rejected } },
    };
  }

  #dispatch(event: VrrpEvent): void {
    const before = this.#state.state;
    const r = step(this.#params, this.#state, event, this.#deps.clock.now());
    this.#state = r.state;
    for (const a of r.actions) this.#act(a);
    const after = this.#state.state;
    if (after !== before) {
      if (after === 'MASTER') this.#stats.becameMaster++;
      if (before === 'MASTER') this.#stats.releasedMaster++;
      this.#deps.log.info(
        { from: before, to: after, reason: event.type, priority: this.#state.effectivePriority },
        'vrrp state changed',
      );
      this.#deps.onTransition({
        instance: this.config.name,
        from: before,
        to: after,
        priority: this.#state.effectivePriority,
        at: Date.now(),
      });
    }
    this.#arm();
    this.#deps.onStep?.(this);
  }

  #arm(): void {
    const at = nextDeadline(this.#state);
    if (at === this.#timerAt) return;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#timerAt = at;
    if (at === undefined) return;
    const clock = this.#deps.clock;
    // Node's timers have whole-millisecond resolution and fire late, so the last PRECISE_MS
    // before a deadline are waited out turn by turn (setImmediate) where the clock can: adverts
    // and takeovers then leave within a fraction of a millisecond of the RFC's time.
    const fire = (): void => {
      const left = at - clock.now();
      if (left > 0) {
        this.#cancelTimer =
          clock.soon !== undefined && left <= PRECISE_MS
            ? clock.soon(fire)
            : clock.setTimer(clock.soon === undefined ? left : left - PRECISE_MS, fire);
        return;
      }
      this.#cancelTimer = undefined;
      this.#timerAt = undefined;
      this.#dispatch({ type: 'timer' });
    };
    const delay = Math.max(0, at - clock.now());
    this.#cancelTimer = clock.setTimer(
      clock.soon === undefined ? delay : Math.max(0, delay - PRECISE_MS),
      fire,
    );
  }

  #act(a: VrrpAction): void {
    const d = this.#deps;
    switch (a.type) {
      case 'send-advert':
        this.#send(a.priority);
        return;
      case 'add-vips': {
        d.log.debug({}, `(${this.config.name}) setting VIPs.`);
        const inst = this.config;
        this.#vipChain = this.#vipChain.then(() => d.vips.add(inst)).catch(this.#vipError);
        return;
      }
      case 'remove-vips': {
        d.log.debug({}, `(${this.config.name}) removing VIPs.`);
        const inst = this.config;
        this.#vipChain = this.#vipChain.then(() => d.vips.remove(inst)).catch(this.#vipError);
        return;
      }
      case 'garp': {
        const inst = this.config;
        const count = garpCount(inst, a.reason);
        // After the VIPs are in place, so the announcement is answered from the new holder.
        this.#vipChain = this.#vipChain
          .then(() => d.vips.announce(inst, a.reason, count))
          .catch(this.#vipError);
        return;
      }
      case 'notify':
        // Transitions are reported from #dispatch; notify actions mark the keepalived order only.
        return;
      case 'log':
        d.log[a.level]({}, a.msg);
        return;
      default:
        a satisfies never;
    }
  }

  readonly #vipError = (err: unknown): void => {
    this.#deps.log.error({ err }, `(${this.config.name}) cannot change the virtual addresses`);
  };

  #send(priority: number): void {
    const c = this.config;
    const t = this.#deps.transport;
    const advert: Advert = {
      version: c.version,
      type: 1,
      vrid: c.virtualRouterId,
      priority,
      advertIntCs: Math.round(c.advertInt * 100),
      authType: c.version === 2 && c.authentication?.authType === 'PASS' ? 1 : 0,
      authData:
        c.version === 2 ? passwordBytes(c.authentication?.authPass ?? '') : new Uint8Array(0),
      family: c.family,
      addresses: c.virtualIpaddress.slice(0, 255).map((v) => v.address),
    };
    const dsts = c.unicastPeer.length > 0 ? c.unicastPeer.map((p) => p.address) : [c.mcastDstIp];
    for (const dst of dsts) {
      const bytes = encodeAdvert(advert, { src: t.source, dst });
      const err = t.send(bytes, dst);
      if (err === undefined) this.#stats.advertsSent++;
      else {
        this.#stats.sendErrors++;
        this.#deps.log.debug({ dst, code: err }, `(${c.name}) cannot send advert`);
      }
    }
    if (priority === 0) this.#stats.priorityZeroSent++;
  }
}
