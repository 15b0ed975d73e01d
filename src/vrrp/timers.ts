// VRRP timer arithmetic: Skew_Time and Master_Down_Interval (RFC 3768 §6.1, RFC 5798 §6.1) with
// keepalived 2.2.7's integer rounding (vrrp.h VRRP_TIMER_SKEW_CALC / VRRP_MS_DOWN_TIMER), so a
// tandem backup times out in the same microsecond as a keepalived one would. keepalived keeps
// timers in whole microseconds; we compute there and hand milliseconds (fractions allowed) to
// the Clock. Intervals arrive in centiseconds, as on the VRRPv3 wire (v2: seconds × 100).

/** Adverts a backup waits for before declaring the master down (keepalived's default). */
export const DEFAULT_DOWN_TIMER_ADVERTS = 3;

const US_PER_S = 1_000_000;
const US_PER_CS = 10_000;

/**
 * Skew_Time in whole microseconds for `skewPriority` (256 − priority, or 1 for the minimal
 * skew). v2: (256 − prio)/256 s, independent of the advert interval (RFC 3768 §6.1); v3:
 * ((256 − prio) × Master_Adver_Interval)/256 (RFC 5798 §6.1). keepalived writes the v3 form as
 * `n × cs × 625 / 16` µs (625/16 = 10 000/256, reduced so it fits a uint32) and truncates once.
 */
function skewUs(version: 2 | 3, skewPriority: number, masterAdverIntCs: number): number {
  return version === 3
    ? Math.floor((skewPriority * masterAdverIntCs * 625) / 16)
    : Math.floor((skewPriority * US_PER_S) / 256);
}

/** Skew_Time in µs (exact keepalived value). `priority` is the effective priority, 0..255. */
export function skewTimeUs(version: 2 | 3, priority: number, masterAdverIntCs: number): number {
  return skewUs(version, 256 - priority, masterAdverIntCs);
}

/** Skew_Time in ms: 609.375 for v2 priority 100; 60.937 for v3 priority 100 at 0.1 s. */
export function skewTimeMs(version: 2 | 3, priority: number, masterAdverIntCs: number): number {
  return skewTimeUs(version, priority, masterAdverIntCs) / 1000;
}

/**
 * The smallest skew (priority 255's): keepalived adds it to one advert interval when an instance
 * configured `state MASTER` (priority < 255) starts, so it claims mastership after about one
 * interval unless it hears a master (vrrp_init_state).
 */
export function minimalSkewMs(version: 2 | 3, masterAdverIntCs: number): number {
  return skewUs(version, 1, masterAdverIntCs) / 1000;
}

/** Master_Down_Interval in µs: downTimerAdverts × Master_Adver_Interval + Skew_Time. */
export function masterDownIntervalUs(
  version: 2 | 3,
  priority: number,
  masterAdverIntCs: number,
  downTimerAdverts = DEFAULT_DOWN_TIMER_ADVERTS,
): number {
  return (
    downTimerAdverts * masterAdverIntCs * US_PER_CS +
    skewTimeUs(version, priority, masterAdverIntCs)
  );
}

/** Master_Down_Interval in ms: 3609.375 for v2 priority 100 at advert_int 1. */
export function masterDownIntervalMs(
  version: 2 | 3,
  priority: number,
  masterAdverIntCs: number,
  downTimerAdverts = DEFAULT_DOWN_TIMER_ADVERTS,
): number {
  return masterDownIntervalUs(version, priority, masterAdverIntCs, downTimerAdverts) / 1000;
}

/** advert_int seconds (config model) to centiseconds, rounded as keepalived reads "0.1". */
export function advertIntToCs(seconds: number): number {
  return Math.round(seconds * 100);
}

/**
 * The master's next advert deadline after the one `due` fired at `now`: one interval after the
 * ideal time, so the event loop's lateness (Node's timers fire up to ~1 ms late, every time) does
 * not pile up into a longer mean interval. A tick late by half an interval or more re-arms from
 * now instead, as keepalived always does, so a stalled loop never sends adverts back to back.
 */
export function nextAdvertAt(due: number, now: number, intervalMs: number): number {
  const ideal = due + intervalMs;
  return ideal - now >= intervalMs / 2 ? ideal : now + intervalMs;
}
