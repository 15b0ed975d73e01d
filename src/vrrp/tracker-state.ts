// What one tracked object (vrrp_script, track_interface, track_file) looks like to one VRRP
// instance right now (reference §1.5, §2.5). `trackers.ts` produces these; `priority.ts` turns a
// list of them into an effective priority or a fault. Weight and reverse are the ones that apply
// to this instance (its own override, the sync-group rules), not the tracked object's defaults.

export type TrackerKind = 'script' | 'interface' | 'file';

export interface TrackerState {
  readonly kind: TrackerKind;
  readonly name: string;
  readonly weight: number;
  readonly reverse: boolean;
  /**
   * script: rise/fall says OK. interface: link up (IFF_UP and IFF_RUNNING). file: not in fault,
   * i.e. with weight 0 the value is 0 (non-zero with reverse), with a weight the contribution
   * value × weight × (reverse ? −1 : 1) is above −254 (keepalived track_file.c).
   */
  readonly up: boolean;
  /** track_file only: the integer read from the file (0 when missing, empty or unparsable). */
  readonly value?: number;
  /**
   * script only: no result yet (keepalived SCRIPT_INIT_STATE_INIT; `init_fail` scripts are never
   * pending). `up` is false meanwhile. keepalived holds an instance with an unweighted pending
   * script out of MASTER until the first result; a weighted pending script adds nothing.
   */
  readonly pending?: true;
}
