// Notify scripts shared by vrrp_instance and vrrp_sync_group (keepalived.conf(5) notify_*).

import type { Notifies } from '../model.js';
import { keyword, type Keyword } from '../schema.js';
import { script } from '../values.js';
import { builders, type Draft } from './common.js';

export function notifyKeywords<D extends Draft<Notifies>>(): Keyword<D>[] {
  const b = builders<D>();
  return [
    b.command('notify_master', 'Run on becoming MASTER.', (d, v) => (d.notifyMaster = v)),
    b.command('notify_backup', 'Run on becoming BACKUP.', (d, v) => (d.notifyBackup = v)),
    b.command('notify_fault', 'Run on entering FAULT.', (d, v) => (d.notifyFault = v)),
    b.command('notify_stop', 'Run when the instance stops.', (d, v) => (d.notifyStop = v)),
    keyword<D>({
      name: 'notify_deleted',
      syntax: '["COMMAND ARGS" [USER [GROUP]]]',
      doc: 'Run when a reload deletes the instance (alone: report DELETED to notify and FIFOs).',
      apply: (d, st, cx) => {
        if (st.args.length > 0) d.notifyDeleted = script(st, cx);
      },
    }),
    b.command(
      'notify',
      'Run on every transition with: INSTANCE|GROUP NAME STATE PRIORITY.',
      (d, v) => (d.notify = v),
    ),
  ];
}
