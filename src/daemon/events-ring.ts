// The daemon's recent events for `tandem status` and the status dump: VRRP transitions and
// checker verdicts, newest last, at most a fixed number kept.

import type { CheckEvent } from '../check/index.js';
import type { TransitionEvent } from '../vrrp/index.js';

export interface RecentEvent {
  /** Wall-clock milliseconds. */
  readonly at: number;
  readonly kind: 'vrrp' | 'check';
  readonly text: string;
}

const KEEP = 50;

export class EventRing {
  readonly #events: RecentEvent[] = [];

  #push(e: RecentEvent): void {
    this.#events.push(e);
    if (this.#events.length > KEEP) this.#events.shift();
  }

  vrrp(e: TransitionEvent): void {
    this.#push({
      at: e.at,
      kind: 'vrrp',
      text: `(${e.instance}) ${e.from} -> ${e.to} (priority ${e.priority})`,
    });
  }

  check(e: CheckEvent): void {
    const text =
      e.type === 'rs-up' || e.type === 'rs-down'
        ? `${e.rsLabel} of ${e.vsLabel} ${e.type === 'rs-up' ? 'UP' : 'DOWN'} (${e.checker})`
        : e.type === 'rs-weight'
          ? `${e.rsLabel} of ${e.vsLabel} weight ${e.from} -> ${e.to}`
          : `${e.vsLabel} quorum ${e.type === 'quorum-up' ? 'UP' : 'DOWN'}`;
    this.#push({ at: Date.now(), kind: 'check', text });
  }

  list(): readonly RecentEvent[] {
    return [...this.#events];
  }
}
