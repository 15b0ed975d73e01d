// The notification subsystem's one event type (issue 8): VRRP and checker transitions as plain
// data, consumed by mail, scripts, FIFOs, logs and metrics alike.

// The named states document the usual values; any other string (DELETED …) passes through.
/* eslint-disable @typescript-eslint/no-redundant-type-constituents */
export type NotifyEvent =
  | {
      kind: 'vrrp-instance';
      name: string;
      from: string;
      to: 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | string;
      priority: number;
      at: number;
    }
  | {
      kind: 'vrrp-group';
      name: string;
      to: 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | string;
      at: number;
    }
  | {
      kind: 'rs';
      vs: string;
      vsLabel: string;
      rs: string;
      rsLabel: string;
      up: boolean;
      checker: string;
      at: number;
    }
  | { kind: 'quorum'; vs: string; vsLabel: string; up: boolean; at: number };
