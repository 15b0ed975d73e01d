// The one notification event type (issue 8): VRRP instance and sync-group transitions, real
// server up/down and virtual-server quorum changes, as plain data. The daemon translates the VRRP
// and checker subsystems' own events into these; mail, scripts, fifos, logs and metrics all read
// the same stream, so they agree on what happened and in which order.
//
// `at` is wall-clock time (Date.now() milliseconds): mails and logs print it as a date, so it is
// not the monotonic Clock reading.
//
// `to` lists the states keepalived acts on but stays open (`| string`), so a state added later
// (DELETED at reload) flows through and the mail rules simply skip it; the literals document the
// usual values, hence the lint rule that calls them redundant is off for this file.
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
      /** VirtualServer.key */
      vs: string;
      /** keepalived's label: `[10.0.0.100]:tcp:80` */
      vsLabel: string;
      /** `address|port` (the checker's rsKey) */
      rs: string;
      /** `[10.0.0.2]:tcp:80` */
      rsLabel: string;
      up: boolean;
      /** The checker type whose verdict changed the server: TCP_CHECK, HTTP_GET… */
      checker: string;
      at: number;
    }
  | { kind: 'quorum'; vs: string; vsLabel: string; up: boolean; at: number };
