// The kernel's connection-sync daemons (shared/reference/ipvs.md §8) as keepalived runs them
// for `lvs_sync_daemon IF [INSTANCE] [id N] [maxlen N] [port N] [ttl N] [group IP]`: a master
// daemon while the named VRRP instance is MASTER, a backup daemon otherwise, so the director
// that takes over already knows the connections. Without an instance (or with VRRP not running
// here) tandem runs the backup daemon only: it receives the master's state and sends nothing.
// The sync id defaults to the instance's virtual_router_id, as in keepalived. Pure.

import type { Config } from '../../config/model.js';
import type { SyncDaemonInfo } from '../../ipvs/render/index.js';

/** The daemons that should run, given each VRRP instance's current state name. */
export function wantedSyncDaemons(
  config: Config,
  instanceState: (name: string) => string | undefined,
): SyncDaemonInfo[] {
  const s = config.global.lvsSyncDaemon;
  if (s === undefined) return [];
  const instance =
    s.instance === undefined ? undefined : config.vrrpInstances.find((i) => i.name === s.instance);
  const master = instance !== undefined && instanceState(instance.name) === 'MASTER';
  return [
    {
      state: master ? 'master' : 'backup',
      mcastInterface: s.interface,
      syncId: s.syncId ?? instance?.virtualRouterId ?? 0,
      ...(s.maxlen === undefined ? {} : { syncMaxlen: s.maxlen }),
      ...(s.group === undefined ? {} : { mcastGroup: s.group }),
      mcastPort: s.port,
      ...(s.ttl === undefined ? {} : { mcastTtl: s.ttl }),
    },
  ];
}

/** Whether a running daemon is the wanted one (unset options: the kernel's defaults do). */
function matches(run: SyncDaemonInfo, want: SyncDaemonInfo): boolean {
  const opt = <T>(w: T | undefined, r: T | undefined): boolean => w === undefined || w === r;
  return (
    run.state === want.state &&
    run.mcastInterface === want.mcastInterface &&
    run.syncId === want.syncId &&
    opt(want.syncMaxlen, run.syncMaxlen) &&
    opt(want.mcastGroup, run.mcastGroup) &&
    opt(want.mcastPort, run.mcastPort) &&
    opt(want.mcastTtl, run.mcastTtl)
  );
}

export interface SyncDaemonPlan {
  readonly stop: readonly ('master' | 'backup')[];
  readonly start: readonly SyncDaemonInfo[];
}

/**
 * From the running daemons to the wanted ones: a running daemon of a wanted state with other
 * settings is replaced; one of an unwanted state is stopped only if tandem started it.
 */
export function syncDaemonPlan(
  running: readonly SyncDaemonInfo[],
  wanted: readonly SyncDaemonInfo[],
  own: ReadonlySet<'master' | 'backup'>,
): SyncDaemonPlan {
  const stop: ('master' | 'backup')[] = [];
  const start: SyncDaemonInfo[] = [];
  for (const w of wanted) {
    const r = running.find((x) => x.state === w.state);
    if (r !== undefined && matches(r, w)) continue;
    if (r !== undefined) stop.push(w.state);
    start.push(w);
  }
  for (const r of running) {
    if (own.has(r.state) && !wanted.some((w) => w.state === r.state)) stop.push(r.state);
  }
  return { stop, start };
}
