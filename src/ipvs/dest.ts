// Destination counters and the overload flag (shared/reference/ipvs.md §0, §3.3; the kernel's
// ip_vs_bind_dest / ip_vs_unbind_dest / __ip_vs_update_dest). Binding a non-template
// connection may set OVERLOAD (u_threshold != 0 and active+inactive >= u_threshold, after the
// increment); unbinding any entry may clear it (below l_threshold, else below 3/4 of
// u_threshold, else unconditionally). Every counter change is reported to the scheduler, and
// every overload flip makes it re-read the destination list.

import type { Dest } from './model.js';

function totalConns(d: Dest): number {
  return d.activeConns + d.inactConns;
}

function setOverloaded(d: Dest, value: boolean): void {
  if (d.overloaded === value) return;
  d.overloaded = value;
  if (d.available) d.svc.scheduler.update(d.svc.dests);
}

export function bindConn(d: Dest, template: boolean, inactive: boolean): void {
  if (template) {
    d.persistConns++;
    return;
  }
  if (inactive) d.inactConns++;
  else d.activeConns++;
  if (d.available) d.svc.scheduler.countsChanged(d);
  if (d.uThreshold !== 0 && totalConns(d) >= d.uThreshold) setOverloaded(d, true);
}

export function unbindConn(d: Dest, template: boolean, inactive: boolean): void {
  if (template) d.persistConns--;
  else {
    if (inactive) d.inactConns--;
    else d.activeConns--;
    if (d.available) d.svc.scheduler.countsChanged(d);
  }
  if (d.lThreshold !== 0) {
    if (totalConns(d) < d.lThreshold) setOverloaded(d, false);
  } else if (d.uThreshold !== 0) {
    if (totalConns(d) * 4 < d.uThreshold * 3) setOverloaded(d, false);
  } else {
    setOverloaded(d, false);
  }
}

/** A TCP transition moved a connection between InActConn and ActiveConn. */
export function moveConn(d: Dest, toActive: boolean): void {
  if (toActive) {
    d.inactConns--;
    d.activeConns++;
  } else {
    d.activeConns--;
    d.inactConns++;
  }
  if (d.available) d.svc.scheduler.countsChanged(d);
}

/** Connections (and templates) still pointing at the destination. */
export function destRefs(d: Dest): number {
  return d.activeConns + d.inactConns + d.persistConns;
}

/** An edit that sets u_threshold to 0 or raises it clears OVERLOAD (before the new value). */
export function editThresholds(d: Dest, uThreshold: number, lThreshold: number): void {
  if (uThreshold === 0 || uThreshold > d.uThreshold) d.overloaded = false;
  d.uThreshold = uThreshold;
  d.lThreshold = lThreshold;
}
