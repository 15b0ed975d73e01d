// All VRRP trackers of one config (reference §1.5–§1.7, §2.5): a ScriptRunner per tracked
// vrrp_script, a TrackFileWatcher per tracked track_file, the link state of each tracked
// interface. `statesFor(instance)` lists the instance's own trackers, then its sync group's, with
// the weights that apply to it (priority.ts does the arithmetic); `onChange` names the instances
// whose list changed. Weights follow keepalived's vrrp_complete_instance and
// sync_group_tracking_init:
// - track_script without `weight` takes the script's weight and reverse; ±254 becomes ±253.
// - A sync-group member (unless the group sets sync_group_tracking_weight) or an address owner
//   (priority 255) drops its own weighted trackers: a weighted interface becomes unweighted
//   (owner: is dropped), a weighted script is dropped, a track_file of weight 1 becomes weight 0
//   and any other weighted track_file is dropped. Each is logged.
// - The group's own trackers keep their weights, unless a member is an address owner. An object
//   tracked by both instance and group counts once: the instance's entry if unweighted, else
//   with the group's weight (keepalived add_obj_to_track_file).

import type { Config, TrackedName, VrrpInstance, VrrpSyncGroup } from '../config/model.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import type { UserLookup } from '../sys/users.js';
import { initTrackFile, TrackFileWatcher, trackFileUp } from './track-file.js';
import { linkStateFromSysfs } from './track-interface.js';
import { ScriptRunner, type ScriptSpawner } from './track-script.js';
import type { TrackerKind, TrackerState } from './tracker-state.js';

export interface TrackerBinding {
  readonly kind: TrackerKind;
  readonly name: string;
  readonly weight: number;
  readonly reverse: boolean;
}

const OWNER = 255;

function ownWeight(
  t: TrackedName,
  def: { weight: number; weightReverse: boolean },
): { weight: number; reverse: boolean } {
  return t.weight === undefined
    ? { weight: def.weight, reverse: def.weightReverse }
    : { weight: t.weight, reverse: t.reverse };
}

function bindScript(config: Config, t: TrackedName, log: Logger, who: string) {
  const s = config.vrrpScripts.find((x) => x.name === t.name);
  if (s === undefined) {
    log.warn({ instance: who }, `(${who}) track script ${t.name} not found, ignoring...`);
    return undefined;
  }
  const own = ownWeight(t, s);
  let weight = own.weight;
  if (Math.abs(weight) === 254) {
    log.warn(
      { instance: who },
      `(${who}) weight for ${t.name} cannot be +/-254. Setting to +/-253`,
    );
    weight = Math.sign(weight) * 253;
  }
  return { kind: 'script', name: t.name, weight, reverse: own.reverse } as const;
}

function bindFile(config: Config, t: TrackedName, log: Logger, who: string) {
  const f = config.trackFiles.find((x) => x.name === t.name);
  if (f === undefined) {
    log.warn({ instance: who }, `(${who}) track file ${t.name} not found, ignoring...`);
    return undefined;
  }
  return { kind: 'file', name: t.name, ...ownWeight(t, f) } as const;
}

function instanceBindings(
  config: Config,
  inst: VrrpInstance,
  group: VrrpSyncGroup | undefined,
  log: Logger,
): TrackerBinding[] {
  const n = inst.name;
  const note = (msg: string): void => log.info({ instance: n }, `(${n}) ${msg}`);
  const why =
    group !== undefined && !group.syncGroupTrackingWeight
      ? 'SYNC group'
      : inst.priority === OWNER
        ? 'owner'
        : undefined;
  const out: TrackerBinding[] = [];
  for (const t of inst.trackInterface) {
    if (t.weight === 0 || why === undefined) out.push({ kind: 'interface', ...t });
    else if (why === 'owner') note(`ignoring tracked interface ${t.name} due to address owner`);
    else {
      note(`ignoring weight of tracked interface ${t.name} due to SYNC group`);
      out.push({ kind: 'interface', name: t.name, weight: 0, reverse: t.reverse });
    }
  }
  const reason = why === 'owner' ? 'address_owner' : why;
  for (const t of inst.trackScript) {
    const b = bindScript(config, t, log, n);
    if (b === undefined) continue;
    if (b.weight !== 0 && reason !== undefined)
      note(`ignoring tracked script ${b.name} with weights due to ${reason}`);
    else out.push(b);
  }
  for (const t of inst.trackFile) {
    const b = bindFile(config, t, log, n);
    if (b === undefined) continue;
    if (b.weight === 0 || reason === undefined) out.push(b);
    else if (b.weight === 1) {
      note(`ignoring weight from tracked file ${b.name} due to ${reason} - specify weight 0`);
      out.push({ ...b, weight: 0 });
    } else {
      note(`ignoring tracked file ${b.name} with weight ${b.weight} due to ${reason}`);
    }
  }
  return out;
}

function groupBindings(config: Config, g: VrrpSyncGroup, log: Logger): TrackerBinding[] {
  const n = g.name;
  const owner = config.vrrpInstances.some((i) => g.group.includes(i.name) && i.priority === OWNER);
  const clear = (b: TrackerBinding, what: string, action: string): TrackerBinding => {
    if (!owner || b.weight === 0) return b;
    log.info(
      { group: n },
      `(${n}) Cannot have weighted track ${what} '${b.name}' with member having priority ${OWNER} - ${action}`,
    );
    return { ...b, weight: 0 };
  };
  return [
    ...g.trackScript
      .flatMap((t) => bindScript(config, t, log, n) ?? [])
      .map((b) => clear(b, 'script', 'clearing weight')),
    ...g.trackFile
      .flatMap((t) => bindFile(config, t, log, n) ?? [])
      .map((b) => clear(b, 'file', 'setting weight 0')),
    ...g.trackInterface.map((t) =>
      clear({ kind: 'interface', ...t }, 'interface', 'clearing weight'),
    ),
  ];
}

/** What each instance tracks, with the weights that apply to it (logs keepalived's notes). */
export function trackerBindings(config: Config, log: Logger): Map<string, TrackerBinding[]> {
  const groups = new Map(config.vrrpSyncGroups.map((g) => [g.name, groupBindings(config, g, log)]));
  const groupOf = new Map<string, VrrpSyncGroup>();
  for (const g of config.vrrpSyncGroups) for (const m of g.group) groupOf.set(m, g);
  const result = new Map<string, TrackerBinding[]>();
  for (const inst of config.vrrpInstances) {
    const group = groupOf.get(inst.name);
    const list = instanceBindings(config, inst, group, log);
    for (const b of group === undefined ? [] : (groups.get(group.name) ?? [])) {
      const i = list.findIndex((x) => x.kind === b.kind && x.name === b.name);
      if (i < 0) list.push(b);
      else if (list[i]?.weight !== 0) list[i] = { ...b };
    }
    result.set(inst.name, list);
  }
  return result;
}

export interface TrackersOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly spawner?: ScriptSpawner;
  readonly resolveUser?: (user: string, group?: string) => Promise<UserLookup>;
  /** Initial link state of a tracked interface (default: sysfs); undefined means down. */
  readonly linkState?: (ifname: string) => boolean | undefined;
  readonly filePollMs?: number;
  readonly useFsWatch?: boolean;
  /** A reload does not overwrite track files (init_file … overwrite). */
  readonly reload?: boolean;
}

type Listener = (instances: readonly string[]) => void;

export class Trackers {
  readonly #config: Config;
  readonly #opts: TrackersOptions;
  readonly #log: Logger;
  readonly #bindings: Map<string, TrackerBinding[]>;
  /** `kind:name` → instances that track it. */
  readonly #users = new Map<string, Set<string>>();
  readonly #scripts = new Map<string, ScriptRunner>();
  readonly #files = new Map<string, TrackFileWatcher>();
  readonly #links = new Map<string, boolean>();
  readonly #listeners = new Set<Listener>();
  #started = false;

  constructor(config: Config, opts: TrackersOptions) {
    this.#config = config;
    this.#opts = opts;
    this.#log = opts.logger;
    this.#bindings = trackerBindings(config, opts.logger);
    for (const [inst, list] of this.#bindings)
      for (const b of list) {
        const key = `${b.kind}:${b.name}`;
        const set = this.#users.get(key) ?? new Set<string>();
        set.add(inst);
        this.#users.set(key, set);
      }
  }

  /** init_file, first file reads, initial link states, then the scripts' first runs. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    const { clock } = this.#opts;
    for (const f of this.#config.trackFiles) {
      const err = initTrackFile(f, this.#opts.reload);
      if (err !== undefined) this.#log.warn({ trackFile: f.name }, err);
      if (!this.#users.has(`file:${f.name}`)) continue;
      const w = new TrackFileWatcher(f, {
        clock,
        logger: this.#log,
        onChange: () => this.#emit(`file:${f.name}`),
        ...(this.#opts.filePollMs === undefined ? {} : { pollMs: this.#opts.filePollMs }),
        ...(this.#opts.useFsWatch === undefined ? {} : { useFsWatch: this.#opts.useFsWatch }),
      });
      this.#files.set(f.name, w);
      w.start();
    }
    const initial = this.#opts.linkState ?? ((i: string) => linkStateFromSysfs(i));
    for (const key of this.#users.keys()) {
      if (!key.startsWith('interface:')) continue;
      const ifname = key.slice('interface:'.length);
      if (!this.#links.has(ifname)) this.#links.set(ifname, initial(ifname) ?? false);
    }
    for (const s of this.#config.vrrpScripts) {
      if (!this.#users.has(`script:${s.name}`)) {
        this.#log.info({ script: s.name }, `Warning - script ${s.name} is not used`);
        continue;
      }
      const r = new ScriptRunner(s, {
        clock,
        logger: this.#log,
        onChange: () => this.#emit(`script:${s.name}`),
        ...(this.#opts.spawner === undefined ? {} : { spawner: this.#opts.spawner }),
        ...(this.#opts.resolveUser === undefined ? {} : { resolveUser: this.#opts.resolveUser }),
        ...(this.#config.global.scriptUser === undefined
          ? {}
          : { scriptUser: this.#config.global.scriptUser }),
      });
      this.#scripts.set(s.name, r);
      r.start();
    }
  }

  /** The instance's trackers now (empty for an unknown instance). */
  statesFor(instance: string): TrackerState[] {
    return (this.#bindings.get(instance) ?? []).map((b) => this.#state(b));
  }

  /** Subscribe to changes; returns the unsubscribe function. */
  onChange(fn: Listener): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** From the link monitor: `ifname` went up or down. */
  setLinkState(ifname: string, up: boolean): void {
    const before = this.#links.get(ifname) ?? false;
    this.#links.set(ifname, up);
    if (before !== up) this.#emit(`interface:${ifname}`);
  }

  /** The last known link state, for the instance's own interface (undefined: never seen). */
  linkState(ifname: string): boolean | undefined {
    return this.#links.get(ifname);
  }

  close(): void {
    for (const r of this.#scripts.values()) r.close();
    for (const w of this.#files.values()) w.close();
    this.#scripts.clear();
    this.#files.clear();
    this.#listeners.clear();
  }

  #state(b: TrackerBinding): TrackerState {
    const base = { kind: b.kind, name: b.name, weight: b.weight, reverse: b.reverse };
    switch (b.kind) {
      case 'script': {
        const s = this.#scripts.get(b.name)?.status ?? { up: false, pending: true };
        return s.pending ? { ...base, up: false, pending: true } : { ...base, up: s.up };
      }
      case 'interface':
        return { ...base, up: this.#links.get(b.name) ?? false };
      case 'file': {
        const value = this.#files.get(b.name)?.value ?? 0;
        return { ...base, up: trackFileUp(value, b.weight, b.reverse), value };
      }
    }
  }

  #emit(key: string): void {
    const instances = [...(this.#users.get(key) ?? [])];
    if (instances.length === 0) return;
    for (const fn of this.#listeners) {
      try {
        fn(instances);
      } catch (err) {
        this.#log.error({ err }, 'tracker change listener failed');
      }
    }
  }
}
