// Types of the pure VRRP core (docs/vrrp.md, "Contracts"): the parameters an instance runs with,
// its state as plain immutable data, and the events and actions of the transition function in
// state.ts. Deadlines are absolute milliseconds on the injected Clock; the runtime arms one real
// timer for the earliest (nextDeadline) and feeds `{ type: 'timer' }` when it is due.

export type VrrpStateName = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOP';

/** The state a sync group forces on a member (keepalived.md §2.6). */
export type SyncTarget = 'MASTER' | 'BACKUP' | 'FAULT';

export type VrrpEvent =
  | { readonly type: 'start' }
  /** A validated advert (receive.ts has already dropped bad ones). */
  | {
      readonly type: 'advert';
      readonly from: string;
      readonly priority: number;
      readonly advertIntCs: number;
    }
  /** The earliest deadline in the state is due; step handles every deadline ≤ now. */
  | { readonly type: 'timer' }
  /** Tracking changed the effective priority (priority.ts). */
  | { readonly type: 'priority'; readonly effective: number }
  | { readonly type: 'fault'; readonly faulty: boolean }
  | { readonly type: 'shutdown' }
  /** Forced by the instance's sync group (sync-group.ts). */
  | { readonly type: 'sync'; readonly to: SyncTarget };

export type NotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'MASTER_RX_LOWER_PRI';

export type VrrpAction =
  | { readonly type: 'send-advert'; readonly priority: number }
  | { readonly type: 'add-vips' }
  | { readonly type: 'remove-vips' }
  /** A GARP/NA burst; the repeat count is the matching garp* field of VrrpParams. */
  | { readonly type: 'garp'; readonly reason: 'master' | 'delayed' | 'refresh' | 'lower-prio' }
  /** Run notifies; MASTER_RX_LOWER_PRI is keepalived's notify_master_rx_lower_pri event. */
  | { readonly type: 'notify'; readonly state: NotifyState }
  /** keepalived's exact text; `debug` lines are the ones keepalived prints only with -D. */
  | { readonly type: 'log'; readonly level: 'info' | 'warn' | 'debug'; readonly msg: string };

/** What an instance runs with, derived from the config (params.ts) plus runtime facts. */
export interface VrrpParams {
  readonly name: string;
  readonly version: 2 | 3;
  readonly vrid: number;
  /** Configured priority; 255 = address owner. */
  readonly basePriority: number;
  readonly advertIntCs: number;
  /** `state` in the config: only a wish for the start (keepalived.md §2.4). */
  readonly initialState: 'MASTER' | 'BACKUP';
  readonly nopreempt: boolean;
  readonly preemptDelayMs: number;
  readonly downTimerAdverts: number;
  readonly lowerPrioNoAdvert: boolean;
  readonly higherPrioSendAdvert: boolean;
  /** Delay of the second GARP burst after becoming master; 0 = none. */
  readonly garpMasterDelayMs: number;
  readonly garpMasterRepeat: number;
  /** Period of GARP refresh bursts while master; 0 = off. */
  readonly garpMasterRefreshMs: number;
  readonly garpMasterRefreshRepeat: number;
  readonly garpLowerPrioDelayMs: number;
  /** GARP burst size when a lower-priority advert is heard as master; 0 = none. */
  readonly garpLowerPrioRepeat: number;
  /**
   * The source address of our adverts, compared numerically with a sender's on equal priority
   * (RFC 5798 §6.4.3). From unicast_src_ip, else the runtime fills in the interface's primary
   * address. Unknown ⇒ keepalived's "cannot compare" (0).
   */
  readonly ownAddress?: string;
  readonly unicast: boolean;
  /** Name of the vrrp_sync_group this instance belongs to: the group decides MASTER. */
  readonly syncGroup?: string;
}

export interface VrrpCounters {
  readonly becomeMaster: number;
  readonly releaseMaster: number;
  readonly priorityZeroSent: number;
  readonly priorityZeroReceived: number;
}

export interface VrrpInstanceState {
  readonly state: VrrpStateName;
  /**
   * What this instance wants on its own (keepalived's wantstate): MASTER once its down timer
   * expired (or it is an owner), BACKUP after accepting a master. Sync groups read it.
   */
  readonly wantState: 'MASTER' | 'BACKUP';
  readonly effectivePriority: number;
  /** RFC 5798 Master_Adver_Interval: v3 backups adopt the master's; otherwise ours. */
  readonly masterAdverIntCs: number;
  /** BACKUP: Master_Down_Timer expiry. */
  readonly downAt?: number;
  /** MASTER: next advert. */
  readonly advertAt?: number;
  /**
   * BACKUP with preempt_delay: lower-priority adverts are accepted until then. A timestamp that
   * is compared, not a wake-up (nextDeadline ignores it), as in keepalived.
   */
  readonly preemptDelayAt?: number;
  /** MASTER: the delayed second GARP burst (garp_master_delay). */
  readonly garpAt?: number;
  /** MASTER: next GARP refresh burst (garp_master_refresh). */
  readonly garpRefreshAt?: number;
  /** MASTER: the delayed lower-priority GARP burst (garp_lower_prio_delay). */
  readonly garpLowerPrioAt?: number;
  readonly masterAddress?: string;
  readonly masterPriority?: number;
  /** A tracker (interface, unweighted script, …) holds the instance in FAULT. */
  readonly faulty: boolean;
  readonly counters: VrrpCounters;
}

export interface StepResult {
  readonly state: VrrpInstanceState;
  readonly actions: readonly VrrpAction[];
}
