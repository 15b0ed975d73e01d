// keepalived's notify FIFO lines (reference §2.9). VRRP: `INSTANCE "VI_1" MASTER 100`,
// `GROUP "G" BACKUP 0`; checkers: `VS [192.168.201.15]:tcp:80 UP` for quorum changes and
// `RS [1.2.3.4]:tcp:80 [192.168.201.15]:tcp:80 DOWN` for real servers. notify_fifo gets every
// line, vrrp_notify_fifo the VRRP ones, lvs_notify_fifo the checker ones. Pure.

import type { NotifyEvent } from './events.js';

export interface FifoLine {
  readonly family: 'vrrp' | 'lvs';
  /** Without the trailing newline. */
  readonly text: string;
}

export function fifoLine(event: NotifyEvent): FifoLine {
  switch (event.kind) {
    case 'vrrp-instance':
      return { family: 'vrrp', text: `INSTANCE "${event.name}" ${event.to} ${event.priority}` };
    case 'vrrp-group':
      return { family: 'vrrp', text: `GROUP "${event.name}" ${event.to} 0` };
    case 'rs':
      return {
        family: 'lvs',
        text: `RS ${event.rsLabel} ${event.vsLabel} ${event.up ? 'UP' : 'DOWN'}`,
      };
    case 'quorum':
      return { family: 'lvs', text: `VS ${event.vsLabel} ${event.up ? 'UP' : 'DOWN'}` };
  }
}
