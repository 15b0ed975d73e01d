// Which scripts a VRRP transition runs, and with which arguments (reference §1.6, §1.7, §2.9).
// keepalived runs the state-specific script first (notify_master, notify_backup, notify_fault,
// notify_stop, notify_deleted, notify_master_rx_lower_pri) with its configured words only, then
// the generic `notify` with four extra words: `INSTANCE|GROUP name STATE priority` (a group's
// priority is 0). Pure: the runner decides when and as whom.

import type { Notifies, ScriptSpec } from '../config/model.js';
import type { NotifyEvent } from './events.js';

/** One script run: the configured command plus the words keepalived appends. */
export interface ScriptCall {
  readonly script: ScriptSpec;
  readonly args: readonly string[];
  /** The keyword that configured it (for logs). */
  readonly keyword: string;
}

/** The notify keywords of an instance or a sync group. */
export type VrrpNotifies = Notifies & { readonly notifyMasterRxLowerPri?: ScriptSpec };

function specific(n: VrrpNotifies, state: string): [string, ScriptSpec | undefined] {
  switch (state) {
    case 'MASTER':
      return ['notify_master', n.notifyMaster];
    case 'BACKUP':
      return ['notify_backup', n.notifyBackup];
    case 'FAULT':
      return ['notify_fault', n.notifyFault];
    case 'STOP':
      return ['notify_stop', n.notifyStop];
    case 'DELETED':
      return ['notify_deleted', n.notifyDeleted];
    case 'MASTER_RX_LOWER_PRI':
      return ['notify_master_rx_lower_pri', n.notifyMasterRxLowerPri];
    default:
      return ['', undefined];
  }
}

/** The script runs for a VRRP event, in keepalived's order; [] for checker events. */
export function vrrpScripts(event: NotifyEvent, notifies: VrrpNotifies): ScriptCall[] {
  if (event.kind !== 'vrrp-instance' && event.kind !== 'vrrp-group') return [];
  const calls: ScriptCall[] = [];
  const [keyword, script] = specific(notifies, event.to);
  if (script !== undefined) calls.push({ script, args: [], keyword });
  if (notifies.notify !== undefined) {
    const [type, priority] =
      event.kind === 'vrrp-instance' ? ['INSTANCE', event.priority] : ['GROUP', 0];
    calls.push({
      script: notifies.notify,
      args: [type, event.name, event.to, String(priority)],
      keyword: 'notify',
    });
  }
  return calls;
}
