// `tandem status`: the running daemon's state for a terminal — VRRP instances, virtual servers
// with their real servers (health, weight, connections, rates) and recent events — from the same
// status the control socket, SIGUSR1 and /status.json give. `--json` prints that status as is.

import { parseArgs } from 'node:util';
import { ControlError, defaultControlPath, request } from '../control/index.js';
import { serviceLabel, type DaemonStatus } from './status.js';

function rate(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}K` : `${n}`;
}

function time(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

export function renderStatus(s: DaemonStatus): string {
  const out: string[] = [];
  const vrrp = s.vrrp?.instances ?? [];
  out.push(`tandem pid ${s.pid}, data plane ${s.dataplane}`);
  // A kernel plane's own facts (nft: tables, transactions, failures, update time).
  if (s.kernel !== undefined) {
    const facts = Object.entries(s.kernel).map(([k, v]) => `${k} ${String(v)}`);
    out.push(`  ${facts.join(', ')}`);
  }
  out.push('');
  out.push('VRRP instances');
  if (vrrp.length === 0) out.push('  (none)');
  for (const i of vrrp) {
    const prio =
      i.effectivePriority === i.priority
        ? `${i.priority}`
        : `${i.effectivePriority} (configured ${i.priority})`;
    out.push(
      `  ${i.name}  ${i.state}  vrid ${i.vrid}  priority ${prio}  master ${i.state === 'MASTER' ? 'this node' : (i.masterAddress ?? '-')}`,
      `    VIPs held: ${i.vips.length === 0 ? '-' : i.vips.join(' ')}`,
      `    adverts sent ${i.stats.advertsSent}, received ${i.stats.advertsReceived}, rejected ${Object.values(i.stats.rejected).reduce((a, b) => a + b, 0)}; became master ${i.stats.becameMaster}, released ${i.stats.releasedMaster}`,
    );
  }
  for (const sb of s.vrrp?.splitBrain.active ?? [])
    out.push(
      `  SPLIT BRAIN: ${sb.vip} (${sb.instance}) also answered by ${sb.otherMacs.join(', ')}`,
    );
  out.push('', 'Virtual servers');
  if (s.services.length === 0) out.push('  (none)');
  const health = new Map<string, boolean>();
  for (const c of s.checks) for (const r of c.rs) health.set(r.rs, r.alive);
  for (const svc of s.services) {
    const t = s.table.services.find((x) => serviceLabel(x) === svc.service);
    out.push(
      `  ${svc.service} ${svc.scheduler}${t === undefined ? '' : `  ${rate(t.rates.cps)} conn/s, ${rate(t.rates.inbps)} B/s in, ${rate(t.rates.outbps)} B/s out`}`,
    );
    for (const d of svc.dests) {
      const id = `${d.address}:${d.port}`;
      const alive = health.get(id);
      const state = d.draining ? 'draining' : alive === false ? 'DOWN' : 'up';
      const dr = t?.dests.find((x) => x.address === d.address && x.port === d.port)?.rates;
      out.push(
        `    -> ${id.padEnd(22)} ${state.padEnd(8)} weight ${String(d.weight).padEnd(4)} active ${String(d.activeConns).padEnd(6)} inactive ${String(d.inactConns).padEnd(6)}${dr === undefined ? '' : ` ${rate(dr.cps)} conn/s`}`,
      );
    }
  }
  const events = s.events ?? [];
  out.push('', 'Recent events');
  if (events.length === 0) out.push('  (none)');
  for (const e of events.slice(-15)) out.push(`  ${time(e.at)}  ${e.kind.padEnd(5)} ${e.text}`);
  return `${out.join('\n')}\n`;
}

/** `tandem status [--control PATH] [--json]`. */
export async function runStatus(argv: readonly string[]): Promise<number> {
  let values: { control?: string; json?: boolean };
  try {
    values = parseArgs({
      args: [...argv],
      options: { control: { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`tandem status: ${(err as Error).message}\n`);
    return 2;
  }
  const path = values.control ?? process.env.TANDEM_CONTROL ?? defaultControlPath();
  try {
    const s = (await request(path, 'status')) as DaemonStatus;
    process.stdout.write(
      values.json === true ? `${JSON.stringify(s, null, 2)}\n` : renderStatus(s),
    );
    return 0;
  } catch (err) {
    const why = err instanceof ControlError ? err.message : String(err);
    process.stderr.write(`tandem status: cannot reach a tandem daemon: ${why}\n`);
    return 2;
  }
}
