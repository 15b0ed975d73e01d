// The one-line ipvsadm outputs (shared/reference/ipvs.md §6.1, §6.4): `-L --timeout`,
// `-L --daemon` and `-v`. The sync-daemon state is not part of TableSnapshot, so it is
// described here as plain data the daemon fills in.

import type { Timeouts } from '../snapshot.js';
import { ntop, uint } from './format.js';

/** `ipvsadm -L --timeout` */
export function renderTimeouts(t: Timeouts): string {
  return `Timeout (tcp tcpfin udp): ${t.tcp} ${t.tcpfin} ${t.udp}\n`;
}

/** A running connection-sync daemon as the kernel's GET_DAEMON reports it. */
export interface SyncDaemonInfo {
  readonly state: 'master' | 'backup';
  readonly mcastInterface: string;
  readonly syncId: number;
  /** 0 or absent: not reported (old kernels), so not printed. */
  readonly syncMaxlen?: number;
  readonly mcastGroup?: string;
  readonly mcastPort?: number;
  readonly mcastTtl?: number;
}

/** `ipvsadm -L --daemon`: one line per running daemon, master first; nothing when none runs. */
export function renderDaemons(daemons: readonly SyncDaemonInfo[]): string {
  const ordered = [
    ...daemons.filter((d) => d.state === 'master'),
    ...daemons.filter((d) => d.state === 'backup'),
  ];
  return ordered
    .map((d) => {
      let line = `${d.state} sync daemon (mcast=${d.mcastInterface}, syncid=${d.syncId}`;
      if (d.syncMaxlen !== undefined && d.syncMaxlen !== 0)
        line += `, maxlen=${uint(d.syncMaxlen)}`;
      if (d.mcastGroup !== undefined) line += `, group=${ntop(d.mcastGroup)}`;
      if (d.mcastPort !== undefined && d.mcastPort !== 0) line += `, port=${uint(d.mcastPort)}`;
      if (d.mcastTtl !== undefined && d.mcastTtl !== 0) line += `, ttl=${uint(d.mcastTtl)}`;
      return `${line})\n`;
    })
    .join('');
}

/** `ipvsadm -v` */
export function renderVersion(ipvsVersion = '1.2.1'): string {
  return `ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v${ipvsVersion})\n`;
}
