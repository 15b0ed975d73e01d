// What a virtual server's pool should be, given its real servers' health (keepalived.md §3.2,
// §3.3; ipwrapper.c perform_svr_state, update_quorum_state). Pure functions over plain state:
// which destinations are in the table and at what weight, quorum with hysteresis, the sorry
// server, inhibit_on_failure. The manager applies the result to the table and logs the lines
// these functions return, which are keepalived's own.

import type { RealServer, SorryServer, VirtualServer } from '../config/model.js';
import { rsLabel, serviceLabel, vsLabel, vsPort } from './labels.js';

export interface RsState {
  /** Every checker of the real server is UP (a server without checkers is always alive). */
  alive: boolean;
  /** Current weight: the configured one, or what misc_dynamic / FILE_CHECK set. */
  weight: number;
  /** The weight in the configuration (a reload that changes it overrides a dynamic weight). */
  readonly configured: number;
}

export interface VsState {
  quorumUp: boolean;
  /** By rsKey. */
  readonly rs: Map<string, RsState>;
}

/** A virtual server's health as status views show it. */
export interface VsStatus {
  readonly vs: string;
  readonly quorumUp: boolean;
  readonly rs: readonly { rs: string; alive: boolean; weight: number }[];
}

/** A destination the table should hold for this virtual server. */
export interface DesiredDest {
  readonly address: string;
  readonly port: number;
  readonly weight: number;
  /** The configured real server, or undefined for the sorry server. */
  readonly rs: RealServer | undefined;
  readonly sorry?: SorryServer;
}

export function rsKey(rs: RealServer): string {
  return `${rs.address}|${rs.port ?? 0}`;
}

export function weightSum(vs: VirtualServer, st: VsState): number {
  let sum = 0;
  for (const rs of vs.realServers) {
    const s = st.rs.get(rsKey(rs));
    if (s?.alive === true) sum += s.weight;
  }
  return sum;
}

/** Whether the sorry server replaces the pool right now. */
export function sorryActive(vs: VirtualServer, st: VsState): boolean {
  return !st.quorumUp && vs.sorryServer !== undefined;
}

export function desiredDests(vs: VirtualServer, st: VsState): DesiredDest[] {
  const out: DesiredDest[] = [];
  const sorry = sorryActive(vs, st);
  for (const rs of vs.realServers) {
    const s = st.rs.get(rsKey(rs)) ?? { alive: true, weight: rs.weight, configured: rs.weight };
    const port = rs.port ?? 0;
    if (!sorry && s.alive) out.push({ address: rs.address, port, weight: s.weight, rs });
    else if (rs.inhibitOnFailure) out.push({ address: rs.address, port, weight: 0, rs });
  }
  const ss = vs.sorryServer;
  if (ss !== undefined && (sorry || vs.sorryServerInhibit)) {
    out.push({
      address: ss.address,
      port: ss.port ?? 0,
      weight: sorry ? 1 : 0,
      rs: undefined,
      sorry: ss,
    });
  }
  return out;
}

/** The log line for a real server changing state, or undefined while the sorry server serves. */
export function rsTransitionLine(
  vs: VirtualServer,
  rs: RealServer,
  st: VsState,
  up: boolean,
): string | undefined {
  if (sorryActive(vs, st)) return undefined;
  const r = rsLabel(vs, rs);
  const v = vsLabel(vs);
  if (rs.inhibitOnFailure)
    return up ? `Enabling service ${r} of VS ${v}` : `Disabling service ${r} of VS ${v}`;
  return up ? `Adding service ${r} to VS ${v}` : `Removing service ${r} from VS ${v}`;
}

export interface QuorumChange {
  readonly quorumUp: boolean;
  readonly lines: readonly string[];
}

/**
 * Re-evaluate quorum after a change (update_quorum_state): gained when the live weight reaches
 * quorum + hysteresis, lost when it is 0 or below quorum − hysteresis. Undefined: no change.
 */
export function evaluateQuorum(vs: VirtualServer, st: VsState): QuorumChange | undefined {
  const sum = weightSum(vs, st);
  const v = vsLabel(vs);
  const q = vs.quorum;
  const h = vs.hysteresis;
  const ss = vs.sorryServer;
  const sorry =
    ss === undefined ? undefined : serviceLabel(ss.address, vs.protocol, ss.port ?? vsPort(vs));
  if (!st.quorumUp && sum >= q + h) {
    const lines = [`Gained quorum ${q}+${h}=${q + h} <= ${sum} for VS ${v}`];
    if (sorry !== undefined) {
      lines.push(
        vs.sorryServerInhibit
          ? `Disabling sorry server ${sorry} from VS ${v}`
          : `Removing sorry server ${sorry} from VS ${v}`,
        `Adding alive servers to the pool for VS ${v}`,
      );
    }
    return { quorumUp: true, lines };
  }
  if (st.quorumUp && (sum === 0 || sum < q - h)) {
    const lines = [`Lost quorum ${q}-${h}=${q - h} > ${sum} for VS ${v}`];
    if (sorry !== undefined) {
      lines.push(
        `Removing alive servers from the pool for VS ${v}`,
        vs.sorryServerInhibit
          ? `Enabling sorry server ${sorry} to VS ${v}`
          : `Adding sorry server ${sorry} to VS ${v}`,
      );
    }
    return { quorumUp: false, lines };
  }
  return undefined;
}
