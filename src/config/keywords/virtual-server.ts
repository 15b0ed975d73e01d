// virtual_server (keepalived.conf(5) "Virtual server(s)"; reference §1.8; the group block is in
// virtual-server-group.ts). Legacy names from the seed documents work: lb_algo / lb_kind are silent aliases of
// lvs_sched / lvs_method, nb_get_retry of retry, `persistence_timeout 0` means no persistence
// (keepalived 2.2.7 rejects it), and nat_mask is accepted and ignored with a warning.

import { bracketed, netmaskToPrefix } from '../../lib/inet.js';
import {
  LVS_SCHEDULERS,
  PROXY_PROTOCOL_VERSIONS,
  type ProxyProtocolVersion,
  type GlobalDefs,
  type LvsSched,
  type RealServer,
  type ScriptSpec,
  type SorryServer,
  type VirtualServer,
  type VirtualServerAddress,
  type VirtualServerGroup,
} from '../model.js';
import type { Statement } from '../parser.js';
import {
  blockKeyword,
  ignored,
  keyword,
  registerBlock,
  unsupported,
  type BlockSpec,
  type Cx,
} from '../schema.js';
import { arity, integer, ip, pos, port, timer } from '../values.js';
import { finishChecker } from './finish-checker.js';
import { builders, compact } from './common.js';
import {
  inheritableKeywords,
  lvsMethod,
  realServerBlock,
  type Inheritable,
  type RealServerDraft,
} from './real-server.js';

export interface VirtualServerDraft extends Inheritable {
  lvsSched?: LvsSched | undefined;
  protocol?: VirtualServer['protocol'] | undefined;
  flags: Record<string, boolean>;
  hashed?: boolean | undefined;
  persistenceTimeout?: number | undefined;
  persistenceGranularity?: string | undefined;
  persistenceEngine?: string | undefined;
  haSuspend?: boolean | undefined;
  omega?: boolean | undefined;
  ipFamily?: VirtualServer['ipFamily'] | undefined;
  weight?: number | undefined;
  quorum?: number | undefined;
  hysteresis?: number | undefined;
  quorumUp?: ScriptSpec | undefined;
  quorumDown?: ScriptSpec | undefined;
  sorryServer?: SorryServer | undefined;
  sorryServerMethod?: SorryServer['lvsMethod'] | undefined;
  sorryServerInhibit?: boolean | undefined;
  proxyProtocol?: ProxyProtocolVersion | undefined;
  realServers: { draft: RealServerDraft; st: Statement }[];
}

const b = builders<VirtualServerDraft>();
const FLAGS = [
  ['flag-1', 'flag1'],
  ['flag-2', 'flag2'],
  ['flag-3', 'flag3'],
  ['sh-port', 'shPort'],
  ['sh-fallback', 'shFallback'],
  ['mh-port', 'mhPort'],
  ['mh-fallback', 'mhFallback'],
  ['ops', 'ops'],
] as const;

export const virtualServerBlock: BlockSpec<VirtualServerDraft> = registerBlock<VirtualServerDraft>({
  name: 'virtual_server',
  doc: 'A virtual service (IP and port, firewall mark, or group) and its real servers.',
  newDraft: () => ({ flags: {}, realServers: [] }),
  keywords: [
    b.choice(
      'lvs_sched',
      LVS_SCHEDULERS,
      'Scheduler (wlc, as ipvsadm).',
      (d, v) => (d.lvsSched = v),
      { aliases: [{ name: 'lb_algo' }] },
    ),
    b.choice(
      'protocol',
      ['TCP', 'UDP', 'SCTP'] as const,
      'Protocol (UDP when absent, as keepalived 2.2.7).',
      (d, v) => (d.protocol = v),
      { caseInsensitive: true },
    ),
    ...FLAGS.map(([name, field]) =>
      b.flag(name, `Scheduler flag ${name}.`, (d, v) => (d.flags[field] = v)),
    ),
    b.flag('hashed', 'Scheduler flag: hashed.', (d, v) => (d.hashed = v)),
    keyword<VirtualServerDraft>({
      name: 'persistence_timeout',
      syntax: '[SECONDS]',
      doc: 'Keep a client on one real server for this long (alone: 360; 0: no persistence).',
      apply: (d, st, cx) => {
        if (!arity(st, cx, 0, 1, '[SECONDS]')) return;
        const w = st.args[0];
        d.persistenceTimeout = w === undefined ? 360 : timer(w, cx, 0, 2678400);
      },
    }),
    keyword<VirtualServerDraft>({
      name: 'persistence_granularity',
      syntax: 'NETMASK|PREFIX',
      doc: 'Clients in one network share persistence (IPv4 mask, IPv6 prefix length).',
      apply: (d, st, cx) => {
        const w = st.args[0];
        if (!arity(st, cx, 1, 1, 'NETMASK|PREFIX') || w === undefined) return;
        if (
          netmaskToPrefix(w.text) !== undefined ||
          (/^\d{1,3}$/.test(w.text) && Number(w.text) <= 128)
        )
          d.persistenceGranularity = w.text;
        else
          cx.sink.error(
            'CFG_INVALID_ADDRESS',
            w.at,
            `invalid persistence_granularity '${w.text}': expected a netmask such as 255.255.255.0 (IPv4) or a prefix length (IPv6)`,
          );
      },
    }),
    b.text(
      'persistence_engine',
      'NAME',
      'Persistence engine: sip, the only one.',
      (d, v) => (d.persistenceEngine = v),
    ),
    b.flag(
      'ha_suspend',
      'Suspend checkers while the address is not local.',
      (d, v) => (d.haSuspend = v),
    ),
    b.flag(
      'omega',
      'Run notify_down and quorum_down scripts at shutdown.',
      (d, v) => (d.omega = v),
    ),
    b.choice(
      'ip_family',
      ['inet', 'inet6'] as const,
      'Address family of a fwmark or group service.',
      (d, v) => (d.ipFamily = v),
    ),
    b.int('weight', 0, 2147483647, 'Default weight of real servers (1).', (d, v) => (d.weight = v)),
    b.int(
      'quorum',
      0,
      2147483647,
      'Minimum total weight of live servers (1).',
      (d, v) => (d.quorum = v),
    ),
    b.int(
      'hysteresis',
      0,
      2147483647,
      'Hysteresis around quorum (0).',
      (d, v) => (d.hysteresis = v),
    ),
    b.command('quorum_up', 'Run when quorum is gained.', (d, v) => (d.quorumUp = v)),
    b.command('quorum_down', 'Run when quorum is lost.', (d, v) => (d.quorumDown = v)),
    keyword<VirtualServerDraft>({
      name: 'sorry_server',
      syntax: 'IP [PORT]',
      doc: 'Server used when quorum is lost.',
      apply: (d, st, cx) => {
        const [a, p] = st.args;
        if (!arity(st, cx, 1, 2, 'IP [PORT]') || a === undefined) return;
        const addr = ip(a, cx);
        const portNo = p === undefined ? undefined : port(p, cx);
        if (addr !== undefined)
          d.sorryServer = compact<SorryServer>({
            address: addr.text,
            port: portNo,
            lvsMethod: 'NAT',
          });
      },
    }),
    keyword<VirtualServerDraft>({
      name: 'sorry_server_lvs_method',
      syntax: 'NAT|DR|TUN',
      doc: 'Forwarding method of the sorry server.',
      apply: (d, st, cx) => (d.sorryServerMethod = lvsMethod(st, cx)?.method),
    }),
    b.flag(
      'sorry_server_inhibit',
      'Keep the sorry server at weight 0 instead of removing it.',
      (d, v) => (d.sorryServerInhibit = v),
    ),
    b.choice(
      'proxy_protocol',
      PROXY_PROTOCOL_VERSIONS,
      'tandem extension: the proxy data plane opens each real-server connection with a PROXY protocol header (v1 text or v2 binary) carrying the client address.',
      (d, v) => (d.proxyProtocol = v),
      { status: 'extension' },
    ),
    ...inheritableKeywords<VirtualServerDraft>(),
    blockKeyword<VirtualServerDraft, RealServerDraft>({
      name: 'real_server',
      syntax: 'IP [PORT] { ... }',
      doc: 'A real server.',
      child: realServerBlock,
      finish: (d, c, st) => d.realServers.push({ draft: c, st }),
    }),
    ignored<VirtualServerDraft>(
      'nat_mask',
      'NETMASK',
      'keepalived 1.x, removed in 2.0.',
      "'nat_mask' was removed in keepalived 2.0 and has no effect; tandem accepts and ignores it",
    ),
    unsupported<VirtualServerDraft>('lvs_sync_daemon_interface', 'INTERFACE', 'Deprecated.'),
  ],
});

/** The virtual_server header: `IP [PORT]`, `fwmark N [inet|inet6]` or `group NAME`. */
export function parseVsAddress(st: Statement, cx: Cx): VirtualServerAddress | undefined {
  const [a, p, extra] = st.args;
  if (a === undefined) {
    cx.sink.error(
      'CFG_MISSING_ARGUMENT',
      st.keyword.at,
      "'virtual_server' needs an address: virtual_server IP [PORT] | fwmark N | group NAME",
    );
    return undefined;
  }
  if (extra !== undefined)
    cx.sink.warning(
      'CFG_EXTRA_ARGUMENT',
      extra.at,
      `'${extra.text}' after the virtual_server address is ignored`,
    );
  if (a.text === 'fwmark' || a.text === 'group') {
    if (p === undefined) {
      cx.sink.error(
        'CFG_MISSING_ARGUMENT',
        a.at,
        `'${a.text}' needs a ${a.text === 'fwmark' ? 'mark number' : 'group name'}`,
      );
      return undefined;
    }
    if (a.text === 'group') return { kind: 'group', name: p.text };
    const n = integer(p, cx, 1, 0xffffffff);
    const fam = extra?.text === 'inet' || extra?.text === 'inet6' ? extra.text : undefined;
    return n === undefined
      ? undefined
      : compact<VirtualServerAddress>({ kind: 'fwmark', fwmark: n, family: fam });
  }
  const addr = ip(a, cx);
  const portNo = p === undefined ? undefined : port(p, cx);
  return addr === undefined
    ? undefined
    : compact<VirtualServerAddress>({
        kind: 'ip',
        address: addr.text,
        family: addr.family,
        port: portNo,
      });
}

export function vsKey(a: VirtualServerAddress, protocol: string): string {
  switch (a.kind) {
    case 'ip':
      return `${protocol.toLowerCase()}:${bracketed(a.address)}:${a.port ?? 0}`;
    case 'fwmark':
      return `fwmark:${a.fwmark}${a.family === 'inet6' ? ':inet6' : ''}`;
    case 'group':
      return `group:${a.name}`;
  }
}

export function finishVirtualServer(
  d: VirtualServerDraft,
  st: Statement,
  g: GlobalDefs,
  groups: readonly VirtualServerGroup[],
  cx: Cx,
): VirtualServer | undefined {
  const address = parseVsAddress(st, cx);
  if (address === undefined) return undefined;
  // keepalived 2.2.7 (checked against its binary with -t) sets UDP when no protocol is given,
  // and says "no protocol set - defaulting to UDP" for a service by address: an IP [PORT]
  // service, or a group with at least one address member. A fwmark service, a group of marks
  // only, and an unknown group get no message (the protocol does not apply to marks).
  const protocol = d.protocol ?? 'UDP';
  if (d.protocol === undefined && servesAddresses(address, groups)) {
    cx.sink.warning(
      'CFG_SURPRISING_DEFAULT',
      st.keyword.at,
      "virtual_server has no 'protocol': keepalived defaults to UDP, and so does tandem; add 'protocol TCP' for a TCP service",
    );
  }
  // keepalived 2.2.7: "Virtual server FWM 7: protocol specified for fwmark - protocol will be ignored".
  if (d.protocol !== undefined && address.kind === 'fwmark') {
    cx.sink.warning(
      'CFG_IGNORED',
      st.keyword.at,
      `'protocol ${d.protocol}' has no effect on virtual_server fwmark ${address.fwmark}: a firewall-mark service matches every protocol the mark selects`,
    );
  }
  const persistent = d.persistenceTimeout !== undefined && d.persistenceTimeout > 0;
  if (address.kind === 'ip' && address.port === undefined && !persistent) {
    cx.sink.error(
      'CFG_MISSING_ARGUMENT',
      st.keyword.at,
      `virtual_server ${address.address} has no port: a port may be omitted only for persistent services (persistence_timeout)`,
    );
  }
  const delayLoop = d.delayLoop ?? 60;
  const realServers: RealServer[] = [];
  const seen = new Map<string, Statement>();
  for (const rs of d.realServers) {
    const r = finishRealServer(rs.draft, rs.st, d, delayLoop, g, cx);
    if (r === undefined) continue;
    const key = `${r.address}:${r.port ?? 0}`;
    const prev = seen.get(key);
    if (prev !== undefined) {
      cx.sink.error(
        'CFG_DUPLICATE_NAME',
        rs.st.keyword.at,
        `real_server ${bracketed(r.address)}:${r.port ?? 0} is defined twice in this virtual_server`,
        [{ at: prev.keyword.at, message: 'first defined here' }],
      );
      continue;
    }
    seen.set(key, rs.st);
    realServers.push(r);
  }
  const f = (k: string): boolean => d.flags[k] === true;
  return compact<VirtualServer>({
    at: pos(st.keyword.at),
    key: vsKey(address, protocol),
    address,
    protocol,
    lvsSched: d.lvsSched ?? 'wlc',
    lvsMethod: d.lvsMethod ?? 'NAT',
    tunnel: d.tunnel,
    schedFlags: {
      flag1: f('flag1'),
      flag2: f('flag2'),
      flag3: f('flag3'),
      shPort: f('shPort'),
      shFallback: f('shFallback'),
      mhPort: f('mhPort'),
      mhFallback: f('mhFallback'),
      ops: f('ops'),
    },
    hashed: d.hashed ?? false,
    persistenceTimeout: persistent ? d.persistenceTimeout : undefined,
    persistenceGranularity: d.persistenceGranularity,
    persistenceEngine: d.persistenceEngine,
    haSuspend: d.haSuspend ?? false,
    delayLoop,
    alpha: d.alpha ?? false,
    omega: d.omega ?? false,
    virtualhost: d.virtualhost,
    ipFamily: d.ipFamily,
    quorum: d.quorum ?? 1,
    hysteresis: d.hysteresis ?? 0,
    quorumUp: d.quorumUp,
    quorumDown: d.quorumDown,
    sorryServer:
      d.sorryServer === undefined
        ? undefined
        : { ...d.sorryServer, lvsMethod: d.sorryServerMethod ?? d.lvsMethod ?? 'NAT' },
    sorryServerInhibit: d.sorryServerInhibit ?? false,
    proxyProtocol: d.proxyProtocol,
    smtpAlert: d.smtpAlert,
    realServers,
  });
}

/** Whether a virtual server has address services, to which its protocol applies. */
function servesAddresses(a: VirtualServerAddress, groups: readonly VirtualServerGroup[]): boolean {
  switch (a.kind) {
    case 'ip':
      return true;
    case 'fwmark':
      return false;
    case 'group':
      return (
        groups.find((grp) => grp.name === a.name)?.members.some((m) => m.kind === 'range') === true
      );
  }
}

function finishRealServer(
  d: RealServerDraft,
  st: Statement,
  vs: VirtualServerDraft,
  delayLoop: number,
  g: GlobalDefs,
  cx: Cx,
): RealServer | undefined {
  const [a, p] = st.args;
  if (a === undefined) {
    cx.sink.error(
      'CFG_MISSING_ARGUMENT',
      st.keyword.at,
      "'real_server' needs an address: real_server IP [PORT] { ... }",
    );
    return undefined;
  }
  const addr = ip(a, cx);
  const portNo = p === undefined ? undefined : port(p, cx);
  if (addr === undefined) return undefined;
  const rsDelayLoop = d.delayLoop ?? delayLoop;
  const inherited = {
    connectTimeout: d.connectTimeout ?? vs.connectTimeout ?? 5,
    delayLoop: rsDelayLoop,
    retry: d.retry ?? vs.retry,
    delayBeforeRetry: d.delayBeforeRetry ?? vs.delayBeforeRetry,
    warmup: d.warmup ?? vs.warmup,
    alpha: d.alpha ?? vs.alpha ?? false,
    virtualhost: d.virtualhost ?? vs.virtualhost,
    logAllFailures: g.checkerLogAllFailures,
  };
  const checkers = d.checkers.flatMap((c) => finishChecker(c.draft, inherited, cx, c.st) ?? []);
  if (d.lthreshold !== undefined && d.uthreshold !== undefined && d.lthreshold > d.uthreshold) {
    cx.sink.error(
      'CFG_CONFLICT',
      st.keyword.at,
      `lthreshold ${d.lthreshold} is above uthreshold ${d.uthreshold}`,
    );
  }
  return compact<RealServer>({
    at: pos(st.keyword.at),
    address: addr.text,
    family: addr.family,
    port: portNo,
    weight: d.weight ?? vs.weight ?? 1,
    lvsMethod: d.lvsMethod ?? vs.lvsMethod ?? 'NAT',
    tunnel: d.tunnel ?? vs.tunnel,
    notifyUp: d.notifyUp,
    notifyDown: d.notifyDown,
    uthreshold: d.uthreshold ?? 0,
    lthreshold: d.lthreshold ?? 0,
    inhibitOnFailure: d.inhibitOnFailure ?? vs.inhibitOnFailure ?? false,
    smtpAlert: d.smtpAlert ?? vs.smtpAlert ?? g.smtpAlertChecker ?? g.smtpAlert ?? true,
    virtualhost: d.virtualhost,
    checkers,
  });
}
