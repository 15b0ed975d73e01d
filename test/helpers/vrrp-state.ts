// Fixtures for the pure VRRP core: parameters with keepalived's defaults and a driver that
// feeds timed events through step() and collects the actions.

import { initialState, step } from '../../src/vrrp/state.js';
import type { VrrpAction, VrrpEvent, VrrpInstanceState, VrrpParams } from '../../src/vrrp/state.js';

export function params(overrides: Partial<VrrpParams> = {}): VrrpParams {
  return {
    name: 'VI_1',
    version: 2,
    vrid: 51,
    basePriority: 100,
    advertIntCs: 100,
    initialState: 'BACKUP',
    nopreempt: false,
    preemptDelayMs: 0,
    downTimerAdverts: 3,
    lowerPrioNoAdvert: false,
    higherPrioSendAdvert: false,
    garpMasterDelayMs: 5000,
    garpMasterRepeat: 5,
    garpMasterRefreshMs: 0,
    garpMasterRefreshRepeat: 1,
    garpLowerPrioDelayMs: 0,
    garpLowerPrioRepeat: 0,
    ownAddress: '10.0.0.1',
    unicast: false,
    ...overrides,
  };
}

/** One instance driven by hand: `at(ms, event)` steps and returns that step's actions. */
export class Driver {
  readonly p: VrrpParams;
  s: VrrpInstanceState;
  readonly all: VrrpAction[] = [];

  constructor(p: VrrpParams, s: VrrpInstanceState = initialState(p)) {
    this.p = p;
    this.s = s;
  }

  at(now: number, event: VrrpEvent): readonly VrrpAction[] {
    const r = step(this.p, this.s, event, now);
    this.s = r.state;
    this.all.push(...r.actions);
    return r.actions;
  }

  advert(now: number, from: string, priority: number, advertIntCs = 100): readonly VrrpAction[] {
    return this.at(now, { type: 'advert', from, priority, advertIntCs });
  }
}

export function advert(now: number, from: string, priority: number) {
  return [now, { type: 'advert', from, priority, advertIntCs: 100 }] as const;
}

/** Log lines only, as `level: msg`. */
export function logs(actions: readonly VrrpAction[]): string[] {
  return actions.flatMap((a) => (a.type === 'log' ? [`${a.level}: ${a.msg}`] : []));
}

/** Actions with log lines shown as `log:msg`, in order; for checking keepalived's order. */
export function trace(actions: readonly VrrpAction[]): string[] {
  return actions.map((a) => {
    switch (a.type) {
      case 'log':
        return `log:${a.msg}`;
      case 'send-advert':
        return `send-advert:${a.priority}`;
      case 'garp':
        return `garp:${a.reason}`;
      case 'notify':
        return `notify:${a.state}`;
      case 'add-vips':
      case 'remove-vips':
        return a.type;
    }
  });
}

/** A driver that became MASTER at t = 0 by down-timer expiry; its earlier actions dropped. */
export function masterDriver(overrides: Partial<VrrpParams> = {}): Driver {
  const p = params(overrides);
  const mdi = step(p, initialState(p), { type: 'start' }, 0).state.downAt ?? 0;
  const d = new Driver(p);
  d.at(-mdi, { type: 'start' });
  d.at(0, { type: 'timer' });
  if (d.s.state !== 'MASTER') throw new Error('masterDriver: not MASTER');
  d.all.length = 0;
  return d;
}
