// The VRRP engine's tracking, and what it says about one instance right now: keepalived's weight
// arithmetic (priority.ts) over its trackers (trackers.ts), plus its own interface, which faults
// it when down unless `dont_track_primary` — keepalived.md §2.4/§2.5. A pending vrrp_script (no
// result yet) holds an unweighted tracker in FAULT and adds nothing when weighted, as
// keepalived's init state.

import type { Config, VrrpInstance } from '../config/model.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import { Trackers, type TrackersOptions } from './trackers.js';
import { effectivePriority, type PriorityVerdict, type TrackerStatus } from './priority.js';
import type { TrackerState } from './tracker-state.js';

export function trackerStatus(t: TrackerState): TrackerStatus {
  if (t.kind === 'file')
    return {
      kind: 'file',
      name: t.name,
      weight: t.weight,
      reverse: t.reverse,
      value: t.value ?? 0,
    };
  // Pending: unweighted ⇒ counts as down (FAULT); weighted ⇒ neutral (up for a negative weight).
  const up = t.pending === true ? t.weight < 0 : t.up;
  return { kind: t.kind, name: t.name, weight: t.weight, reverse: t.reverse, up };
}

export function evaluateTracking(
  inst: VrrpInstance,
  trackers: readonly TrackerState[],
  linkUp: (ifname: string) => boolean | undefined,
): PriorityVerdict {
  const statuses = trackers.map(trackerStatus);
  if (inst.interface !== undefined && !inst.dontTrackPrimary && inst.vrrpTransport === 'raw') {
    statuses.push({
      kind: 'interface',
      name: inst.interface,
      weight: 0,
      reverse: false,
      up: linkUp(inst.interface) ?? true,
    });
  }
  return effectivePriority(inst.priority, statuses);
}

export interface TrackingDeps {
  readonly clock: Clock;
  readonly log: Logger;
  /** The interface's state at start (sysfs). */
  readonly linkState?: (ifname: string) => boolean | undefined;
  readonly linkMonitor?: (
    onLink: (ifname: string, up: boolean) => void,
    onAddressRemoved?: (ifname: string, address: string) => void,
  ) => { close(): void };
  readonly trackers?: Partial<Omit<TrackersOptions, 'clock' | 'logger'>>;
}

export interface TrackingHooks {
  /** Trackers of these instances changed. */
  changed(instances: readonly string[]): void;
  /** An interface went up or down. */
  link(ifname: string): void;
  addressRemoved(ifname: string, address: string): void;
}

/**
 * The engine's tracking: the Trackers of the current configuration, the link states (sysfs at
 * first, then rtnetlink events) and the netlink monitor. Long-lived across reloads.
 */
export class EngineTracking {
  readonly #deps: TrackingDeps;
  readonly #hooks: TrackingHooks;
  #trackers: Trackers | undefined;
  #key = '';
  readonly #links = new Map<string, boolean>();
  #monitor: { close(): void } | undefined;

  constructor(deps: TrackingDeps, hooks: TrackingHooks) {
    this.#deps = deps;
    this.#hooks = hooks;
  }

  /**
   * Trackers are kept across a reload that does not touch tracking (scripts keep running with
   * their results); otherwise rebuilt, and then scripts re-run from "no result yet". True when
   * rebuilt.
   */
  load(config: Config): boolean {
    const key = trackingFingerprint(config);
    if (this.#trackers !== undefined && key === this.#key) return false;
    const reload = this.#trackers !== undefined;
    this.#trackers?.close();
    this.#key = key;
    const d = this.#deps;
    const t = new Trackers(config, {
      clock: d.clock,
      logger: d.log.child({ subsys: 'vrrp' }),
      ...d.trackers,
      reload,
      linkState: (i) => this.#linkUp(i),
    });
    t.onChange((names) => this.#hooks.changed(names));
    this.#trackers = t;
    t.start();
    const wantsLinks = config.vrrpInstances.some(
      (i) => i.interface !== undefined || i.trackInterface.length > 0,
    );
    if (wantsLinks && this.#monitor === undefined && d.linkMonitor !== undefined) {
      this.#monitor = d.linkMonitor(
        (ifname, up) => this.#onLink(ifname, up),
        (ifname, address) => this.#hooks.addressRemoved(ifname, address),
      );
    }
    return true;
  }

  #onLink(ifname: string, up: boolean): void {
    const before = this.#links.get(ifname);
    this.#links.set(ifname, up);
    if (before === up) return;
    this.#deps.log.info(
      { interface: ifname, up },
      `Netlink reports ${ifname} ${up ? 'up' : 'down'}`,
    );
    this.#trackers?.setLinkState(ifname, up);
    this.#hooks.link(ifname);
  }

  #linkUp(ifname: string): boolean | undefined {
    let up = this.#links.get(ifname);
    if (up === undefined) {
      up = this.#deps.linkState?.(ifname);
      if (up !== undefined) this.#links.set(ifname, up);
    }
    return up;
  }

  verdict(c: VrrpInstance): PriorityVerdict {
    return evaluateTracking(c, this.#trackers?.statesFor(c.name) ?? [], (i) => this.#linkUp(i));
  }

  /** Some tracker of the instance has no result yet. */
  pending(instance: string): boolean {
    return this.#trackers?.statesFor(instance).some((t) => t.pending === true) ?? false;
  }

  close(): void {
    this.#trackers?.close();
    this.#trackers = undefined;
    this.#monitor?.close();
    this.#monitor = undefined;
  }
}

/** Everything tracking is built from: scripts, files, groups and what each instance tracks. */
function trackingFingerprint(c: Config): string {
  return JSON.stringify(
    {
      scripts: c.vrrpScripts,
      files: c.trackFiles,
      groups: c.vrrpSyncGroups,
      instances: c.vrrpInstances.map((i) => [
        i.name,
        i.priority,
        i.syncGroup,
        i.trackScript,
        i.trackFile,
        i.trackInterface,
      ]),
    },
    (k, v: unknown) => (k === 'at' ? undefined : v),
  );
}
