// The Prometheus families tandem exports and how one status fills them (docs/observability.md
// lists them). Counters mirror counters kept elsewhere (the table, the proxy, the VRRP engine),
// so each scrape resets a family and sets it from the status: series of removed instances and
// servers disappear with them, and a counter only drops when its source restarts or is zeroed
// (ipvsadm -Z), which Prometheus' rate() treats as a reset.

import { Counter, Gauge, type Registry } from 'prom-client';
import type { RateSnapshot, StatsSnapshot } from '../ipvs/index.js';
import { VERSION } from '../lib/version.js';
import { destLabel, serviceKey, type WebProxyCounters, type WebStatus } from './status.js';

/** RFC 9568 §6.4 states plus keepalived's FAULT and STOP: one series each, 1 for the current. */
export const VRRP_STATES = ['INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOP'] as const;

/** Proxy counters and their metric names (`tandem_proxy_<name>_total`). */
export const PROXY_COUNTERS: readonly (readonly [keyof WebProxyCounters, string, string])[] = [
  ['accepted', 'accepted', 'TCP connections accepted on a virtual address'],
  ['noDestination', 'no_destination', 'Accepted connections with no real server to go to'],
  ['dropped', 'dropped', 'Accepted connections the table dropped (deleted real server)'],
  ['connectRefused', 'connect_refused', 'Upstream connects refused by the real server'],
  ['connectTimeout', 'connect_timeout', 'Upstream connects that timed out'],
  ['connectError', 'connect_error', 'Upstream connects that failed otherwise'],
  ['released', 'released', 'Relays closed because the table released their entry'],
  ['resets', 'resets', 'Connected relays ended by a reset or error'],
  ['udpFlows', 'udp_flows', 'UDP flows created'],
  ['udpDropped', 'udp_dropped', 'UDP datagrams with no real server or dropped'],
  ['udpSendErrors', 'udp_send_errors', 'UDP sends that failed'],
  ['listenErrors', 'listen_errors', 'Listener bind or listen failures'],
];

type Labels = Record<string, string>;

export function defineFamilies(registry: Registry) {
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name: `tandem_${name}`, help, labelNames, registers: [registry] });
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    new Counter({ name: `tandem_${name}_total`, help, labelNames, registers: [registry] });
  const inst = ['instance'];
  const vs = ['vs'];
  const rs = ['vs', 'rs'];
  const traffic = (what: string, who: string, labels: string[]) => ({
    conns: counter(`${what}_connections`, `Connections scheduled to the ${who}`, labels),
    packets: counter(`${what}_packets`, `Packets through the ${who}`, [...labels, 'direction']),
    bytes: counter(`${what}_bytes`, `Bytes through the ${who}`, [...labels, 'direction']),
    cps: gauge(`${what}_connections_per_second`, `Connection rate of the ${who}`, labels),
    pps: gauge(`${what}_packets_per_second`, `Packet rate of the ${who}`, [...labels, 'direction']),
    bps: gauge(`${what}_bytes_per_second`, `Byte rate of the ${who}`, [...labels, 'direction']),
    active: gauge(`${what}_active_connections`, `Active connections of the ${who}`, labels),
    inactive: gauge(`${what}_inactive_connections`, `Inactive connections of the ${who}`, labels),
  });
  return {
    info: gauge('info', 'Always 1: the version and data plane of this daemon', [
      'version',
      'dataplane',
    ]),
    vrrpState: gauge('vrrp_state', 'VRRP instance state: 1 for the current state', [
      'instance',
      'state',
    ]),
    vrrpPriority: gauge('vrrp_priority', 'Configured VRRP priority', inst),
    vrrpEffective: gauge('vrrp_effective_priority', 'Priority after tracking', inst),
    vrrpVips: gauge('vrrp_vips', 'Virtual addresses held by the instance', inst),
    vrrpBecameMaster: counter('vrrp_became_master', 'Transitions to MASTER', inst),
    vrrpReleasedMaster: counter('vrrp_released_master', 'Transitions out of MASTER', inst),
    vrrpSent: counter('vrrp_adverts_sent', 'Adverts sent', inst),
    vrrpReceived: counter('vrrp_adverts_received', 'Adverts received and accepted', inst),
    vrrpPrio0Sent: counter('vrrp_priority_zero_sent', 'Priority 0 adverts sent', inst),
    vrrpPrio0Received: counter('vrrp_priority_zero_received', 'Priority 0 adverts received', inst),
    vrrpSendErrors: counter('vrrp_send_errors', 'Adverts that could not be sent', inst),
    vrrpRejected: counter('vrrp_adverts_rejected', 'Adverts rejected, by reason', [
      'instance',
      'reason',
    ]),
    vrrpUnknownVrid: counter('vrrp_unknown_vrid', 'Adverts for a VRID with no instance here'),
    splitBrainActive: gauge('vrrp_split_brain_active', 'Split-brain episodes in progress'),
    splitBrainEpisodes: counter('vrrp_split_brain_episodes', 'Split-brain episodes detected'),
    splitBrainProbes: counter('vrrp_split_brain_probes_sent', 'Split-brain ARP/ND probes sent'),
    notifyMails: counter(
      'notify_mails',
      'E-mail alerts, by result (sent, failed, dropped, retries)',
      ['result'],
    ),
    notifyScripts: counter(
      'notify_scripts',
      'Notify scripts, by result (started, failed, timed_out, dropped, refused)',
      ['result'],
    ),
    vs: traffic('virtual_server', 'virtual server', vs),
    vsQuorumUp: gauge('virtual_server_quorum_up', 'Checkers see quorum for the virtual server', vs),
    rs: traffic('real_server', 'real server', rs),
    rsWeight: gauge('real_server_weight', 'Weight of the real server in the table', rs),
    rsUp: gauge('real_server_up', 'Checkers see the real server up (1) or down (0)', rs),
    rsConnectFailures: counter('real_server_connect_failures', 'Upstream connect failures', [
      'rs',
      'reason',
    ]),
    proxy: PROXY_COUNTERS.map(
      ([key, name, help]) => [key, counter(`proxy_${name}`, help)] as const,
    ),
    proxyRelays: gauge('proxy_relays', 'TCP relays open'),
    proxyUdpFlows: gauge('proxy_udp_flows', 'UDP flows open'),
    proxyListenerUp: gauge('proxy_listener_up', 'Listener bound (1) or retrying (0)', ['listener']),
  };
}

export type Families = ReturnType<typeof defineFamilies>;

function resetAll(value: unknown): void {
  if (value instanceof Gauge || value instanceof Counter) value.reset();
  else if (Array.isArray(value)) for (const v of value) resetAll(v);
  else if (typeof value === 'object' && value !== null) Object.values(value).forEach(resetAll);
}

/** Counter values never go below 0 (prom-client throws); a source that does is a bug. */
function count(c: Counter, labels: Labels, v: number): void {
  c.inc(labels, Math.max(0, v));
}

function fillTraffic(
  f: Families['vs'],
  labels: Labels,
  s: { stats: StatsSnapshot; rates: RateSnapshot; active: number; inactive: number },
): void {
  const inL = { ...labels, direction: 'in' };
  const outL = { ...labels, direction: 'out' };
  count(f.conns, labels, s.stats.conns);
  count(f.packets, inL, s.stats.inpkts);
  count(f.packets, outL, s.stats.outpkts);
  count(f.bytes, inL, s.stats.inbytes);
  count(f.bytes, outL, s.stats.outbytes);
  f.cps.set(labels, s.rates.cps);
  f.pps.set(inL, s.rates.inpps);
  f.pps.set(outL, s.rates.outpps);
  f.bps.set(inL, s.rates.inbps);
  f.bps.set(outL, s.rates.outbps);
  f.active.set(labels, s.active);
  f.inactive.set(labels, s.inactive);
}

/** Replaces every family's series with the values of `st`. */
export function fillFamilies(f: Families, st: WebStatus): void {
  resetAll(f);
  f.info.set({ version: VERSION, dataplane: st.dataplane ?? 'proxy' }, 1);
  for (const i of st.vrrp?.instances ?? []) {
    const l = { instance: i.name };
    for (const s of VRRP_STATES) f.vrrpState.set({ ...l, state: s }, i.state === s ? 1 : 0);
    // An unforeseen state still shows, rather than every series reading 0.
    f.vrrpState.set({ ...l, state: i.state }, 1);
    f.vrrpPriority.set(l, i.priority);
    f.vrrpEffective.set(l, i.effectivePriority);
    f.vrrpVips.set(l, i.vips.length);
    count(f.vrrpBecameMaster, l, i.stats.becameMaster);
    count(f.vrrpReleasedMaster, l, i.stats.releasedMaster);
    count(f.vrrpSent, l, i.stats.advertsSent);
    count(f.vrrpReceived, l, i.stats.advertsReceived);
    count(f.vrrpPrio0Sent, l, i.stats.priorityZeroSent);
    count(f.vrrpPrio0Received, l, i.stats.priorityZeroReceived);
    count(f.vrrpSendErrors, l, i.stats.sendErrors);
    for (const [reason, n] of Object.entries(i.stats.rejected)) {
      count(f.vrrpRejected, { ...l, reason }, n);
    }
  }
  if (st.vrrp !== undefined) {
    count(f.vrrpUnknownVrid, {}, st.vrrp.unknownVrid);
    f.splitBrainActive.set(st.vrrp.splitBrain.active.length);
    count(f.splitBrainEpisodes, {}, st.vrrp.splitBrain.episodes);
    count(f.splitBrainProbes, {}, st.vrrp.splitBrain.probesSent);
  }
  const mail = st.notify?.mail;
  if (mail !== undefined)
    for (const result of ['sent', 'failed', 'dropped', 'retries'] as const)
      count(f.notifyMails, { result }, mail[result]);
  const scripts = st.notify?.scripts;
  if (scripts !== undefined) {
    count(f.notifyScripts, { result: 'started' }, scripts.started);
    count(f.notifyScripts, { result: 'failed' }, scripts.failed);
    count(f.notifyScripts, { result: 'timed_out' }, scripts.timedOut);
    count(f.notifyScripts, { result: 'dropped' }, scripts.dropped);
    count(f.notifyScripts, { result: 'refused' }, scripts.refused);
  }
  for (const svc of st.table.services) {
    const vs = serviceKey(svc);
    let active = 0;
    let inactive = 0;
    for (const d of svc.dests) {
      const l = { vs, rs: destLabel(d) };
      active += d.activeConns;
      inactive += d.inactConns;
      fillTraffic(f.rs, l, { ...d, active: d.activeConns, inactive: d.inactConns });
      f.rsWeight.set(l, d.weight);
    }
    fillTraffic(f.vs, { vs }, { ...svc, active, inactive });
  }
  for (const c of st.checks) {
    f.vsQuorumUp.set({ vs: c.vs }, c.quorumUp ? 1 : 0);
    for (const r of c.rs) {
      const sep = r.rs.lastIndexOf('|');
      const rs = destLabel({ address: r.rs.slice(0, sep), port: Number(r.rs.slice(sep + 1)) });
      f.rsUp.set({ vs: c.vs, rs }, r.alive ? 1 : 0);
    }
  }
  // Failures are kept per real server across services; the first listing of each counts.
  const seen = new Set<string>();
  for (const d of (st.services ?? []).flatMap((s) => s.dests)) {
    const rs = destLabel(d);
    if (seen.has(rs)) continue;
    seen.add(rs);
    for (const [reason, n] of Object.entries(d.connectFailures)) {
      count(f.rsConnectFailures, { rs, reason }, n);
    }
  }
  const proxy = st.proxy;
  if (proxy === undefined) return;
  for (const [key, c] of f.proxy) count(c, {}, proxy.counters[key]);
  f.proxyRelays.set(proxy.relays);
  f.proxyUdpFlows.set(proxy.udpFlows);
  for (const l of proxy.listeners) {
    f.proxyListenerUp.set({ listener: l.key }, l.listening ? 1 : 0);
  }
}
