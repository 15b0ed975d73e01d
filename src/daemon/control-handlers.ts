// What the daemon serves on its control socket (docs/control.md): ipvsadm's commands carried out
// on the running table (tandemadm), the status, and a reload. Runtime changes made this way last
// until the next reload, which programs the table from the file again — as with keepalived,
// whose reload also re-applies the configuration over `ipvsadm` edits.

import type { ControlHandler, ControlParams } from '../control/index.js';
import type { DataPlane } from '../dataplane/index.js';
import { runIpvsadmOn, tableBackend, type IpvsTable } from '../ipvs/index.js';
import type { DaemonStatus } from './status.js';

export interface ControlTarget {
  readonly table: IpvsTable;
  /** A kernel plane answers `-c`, `--daemon` and `-Z` from the kernel as well. */
  readonly plane?: DataPlane;
  status(): Promise<DaemonStatus>;
  reload(): boolean;
  /** The table's service list changed: bring the data plane in line. */
  sync(): void;
}

function strings(v: unknown): readonly string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
}

export function controlHandlers(d: ControlTarget): Record<string, ControlHandler> {
  return {
    ipvsadm: (params: ControlParams) => {
      const argv = strings(params.argv);
      if (argv === undefined)
        throw new TypeError('ipvsadm: params.argv must be an array of strings');
      const stdin = typeof params.stdin === 'string' ? params.stdin : undefined;
      const backend = tableBackend(d.table, d.plane?.adminHooks?.() ?? {});
      const r = runIpvsadmOn(backend, argv, {
        program: typeof params.program === 'string' ? params.program : 'tandemadm',
        ...(stdin === undefined ? {} : { stdin }),
      });
      d.sync();
      return r;
    },
    status: () => d.status(),
    reload: () => ({ ok: d.reload() }),
  };
}
