// Where ipvsadm's commands are carried out. ipvsadm has one target, the kernel, through libipvs;
// tandemadm has two: a running daemon's table (possibly with a kernel data plane behind it) and,
// with no daemon, the kernel's own table (src/dataplane/ipvs/kernel-admin.ts). Both answer the
// few calls the command runner makes: one change per command, refused with the errno the kernel
// would give, and the listings. tableBackend is the table's, with hooks for a data plane.

import type { SyncDaemonInfo } from '../render/index.js';
import type { ConnSnapshot, TableSnapshot, Timeouts } from '../snapshot.js';
import type { IpvsTable } from '../table.js';
import type { ServiceKey } from '../services.js';
import type { DaemonSpec, IpvsadmCommand } from './command.js';
import { errnoOf, type KernelOp } from './kernel-errors.js';
import { tableDestKey, tableDestSpec, tableServiceKey, tableServiceSpec } from './table-specs.js';

/** A command that changes the table (what libipvs sends as one request). */
export type ChangeCommand = Extract<
  IpvsadmCommand,
  {
    command:
      | 'add-service'
      | 'edit-service'
      | 'delete-service'
      | 'add-server'
      | 'edit-server'
      | 'delete-server'
      | 'clear'
      | 'zero'
      | 'set-timeout'
      | 'start-daemon'
      | 'stop-daemon';
  }
>;

/** A refusal: the errno's name, and strerror(3) text for errnos ipvsadm has no words for. */
export interface Refusal {
  readonly errno: string;
  readonly strerror?: string;
}

export interface IpvsadmBackend {
  /** Carry out one change; undefined when done. */
  change(cmd: ChangeCommand): Refusal | undefined;
  snapshot(): TableSnapshot | Refusal;
  timeouts(): Timeouts | Refusal;
  connections(): readonly ConnSnapshot[];
  daemons(): readonly SyncDaemonInfo[];
}

export function isRefusal(v: unknown): v is Refusal {
  return typeof v === 'object' && v !== null && 'errno' in v;
}

/** The libipvs call behind a change, as ipvs_strerror tells them apart. */
export function kernelOpOf(cmd: ChangeCommand): KernelOp {
  return cmd.command === 'clear' ? 'flush' : cmd.command;
}

/** What a data plane adds to the table's answers (the kernel's connections, daemons, counters). */
export interface PlaneHooks {
  readonly connections?: () => readonly ConnSnapshot[];
  readonly daemons?: () => readonly SyncDaemonInfo[];
  /** Refresh the table's counters before a listing. */
  readonly refresh?: () => void;
  readonly zero?: (service?: ServiceKey) => Refusal | undefined;
  readonly startDaemon?: (d: DaemonSpec) => Refusal | undefined;
  readonly stopDaemon?: (state: 'master' | 'backup') => Refusal | undefined;
}

/** The daemon's table (and its data plane's hooks) as an ipvsadm target. */
export function tableBackend(table: IpvsTable, hooks: PlaneHooks = {}): IpvsadmBackend {
  const apply = (cmd: ChangeCommand): Refusal | undefined => {
    switch (cmd.command) {
      case 'clear':
        table.flush();
        break;
      case 'add-service':
        table.addService(tableServiceSpec(cmd));
        break;
      case 'edit-service':
        table.editService(tableServiceSpec(cmd));
        break;
      case 'delete-service':
        table.deleteService(tableServiceKey(cmd.service));
        break;
      case 'add-server':
        table.addDest(tableServiceKey(cmd.service), tableDestSpec(cmd.server));
        break;
      case 'edit-server':
        table.editDest(tableServiceKey(cmd.service), tableDestSpec(cmd.server));
        break;
      case 'delete-server':
        table.deleteDest(tableServiceKey(cmd.service), tableDestKey(cmd.server));
        break;
      case 'zero': {
        const key = cmd.service === undefined ? undefined : tableServiceKey(cmd.service);
        // What the kernel counted until now belongs before the zero.
        hooks.refresh?.();
        table.zero(key);
        return hooks.zero?.(key);
      }
      case 'set-timeout':
        table.setTimeouts({ tcp: cmd.tcp, tcpfin: cmd.tcpfin, udp: cmd.udp });
        break;
      case 'start-daemon':
        // Without a kernel plane there is no connection sync: the call does not exist (ENOSYS).
        return hooks.startDaemon === undefined ? { errno: 'ENOSYS' } : hooks.startDaemon(cmd);
      case 'stop-daemon':
        return hooks.stopDaemon === undefined ? { errno: 'ESRCH' } : hooks.stopDaemon(cmd.state);
    }
    return undefined;
  };
  return {
    change(cmd) {
      try {
        return apply(cmd);
      } catch (err) {
        return { errno: errnoOf(kernelOpOf(cmd), err) };
      }
    },
    snapshot() {
      hooks.refresh?.();
      return table.snapshot();
    },
    timeouts: () => table.timeouts(),
    connections: () => hooks.connections?.() ?? table.connections(),
    daemons: () => hooks.daemons?.() ?? [],
  };
}
