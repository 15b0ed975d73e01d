// real_server (keepalived.conf(5) "Real server(s)"; reference §1.8) and the keywords that
// virtual_server and real_server share: the checker defaults they hand down, and lvs_method.

import type { LvsMethod, RealServer, ScriptSpec, TunnelSpec } from '../model.js';
import type { Statement } from '../parser.js';
import {
  blockKeyword,
  ignored,
  keyword,
  registerBlock,
  type BlockSpec,
  type Cx,
  type Keyword,
} from '../schema.js';
import { arity, integer, oneOf } from '../values.js';
import { checkerBlocks, type CheckerDraft } from './checkers.js';
import { builders, compact, timingKeywords, type CheckTiming } from './common.js';

/** Values a virtual_server or real_server hands down to its checkers. */
export interface Inheritable extends CheckTiming {
  inhibitOnFailure?: boolean | undefined;
  virtualhost?: string | undefined;
  smtpAlert?: boolean | undefined;
  lvsMethod?: LvsMethod | undefined;
  tunnel?: TunnelSpec | undefined;
}

export function inheritableKeywords<D extends Inheritable>(): Keyword<D>[] {
  const b = builders<D>();
  return [
    ...timingKeywords<D>(),
    b.flag(
      'inhibit_on_failure',
      'Set weight 0 on failure instead of removing the server.',
      (d, v) => (d.inhibitOnFailure = v),
    ),
    b.text(
      'virtualhost',
      'HOST',
      'Default Host header of HTTP checks.',
      (d, v) => (d.virtualhost = v),
    ),
    b.flag('smtp_alert', 'E-mail when servers go up or down.', (d, v) => (d.smtpAlert = v)),
    keyword<D>({
      name: 'lvs_method',
      syntax: 'NAT|DR|TUN [type ipip|gue port N|gre] [nocsum|csum|remcsum]',
      doc: 'Forwarding method (NAT).',
      aliases: [{ name: 'lb_kind' }],
      apply: (d, st, cx) => {
        const m = lvsMethod(st, cx);
        if (m === undefined) return;
        d.lvsMethod = m.method;
        d.tunnel = m.tunnel;
      },
    }),
    ignored<D>(
      'snmp_name',
      'NAME',
      'SNMP name.',
      "'snmp_name' has no effect: tandem has no SNMP agent",
    ),
  ];
}

export function lvsMethod(
  st: Statement,
  cx: Cx,
): { method: LvsMethod; tunnel?: TunnelSpec } | undefined {
  if (!arity(st, cx, 1, 6, 'NAT|DR|TUN [type ipip|gue port N|gre] [nocsum|csum|remcsum]'))
    return undefined;
  const [first, ...rest] = st.args;
  if (first === undefined) return undefined;
  const method = oneOf(first, cx, ['NAT', 'DR', 'TUN'] as const, 'lvs_method', true);
  if (method === undefined) return undefined;
  if (method !== 'TUN') {
    if (rest[0] !== undefined)
      cx.sink.warning(
        'CFG_EXTRA_ARGUMENT',
        rest[0].at,
        `tunnel options apply to TUN only; '${rest.map((w) => w.text).join(' ')}' is ignored`,
      );
    return { method };
  }
  const t: {
    type: TunnelSpec['type'];
    port?: number | undefined;
    csum?: TunnelSpec['csum'] | undefined;
  } = {
    type: 'ipip',
  };
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i];
    const v = rest[i + 1];
    if (w === undefined) break;
    if (w.text === 'type' && v !== undefined) {
      t.type = oneOf(v, cx, ['ipip', 'gue', 'gre'] as const, 'tunnel type') ?? 'ipip';
      i++;
    } else if (w.text === 'port' && v !== undefined) {
      t.port = integer(v, cx, 1, 65535);
      i++;
    } else if (w.text === 'nocsum' || w.text === 'csum' || w.text === 'remcsum') t.csum = w.text;
    else
      cx.sink.error('CFG_INVALID_VALUE', w.at, `unexpected '${w.text}' in lvs_method TUN options`);
  }
  if (t.type === 'gue' && t.port === undefined)
    cx.sink.error('CFG_MISSING_ARGUMENT', first.at, "a 'gue' tunnel needs 'port N'");
  return { method, tunnel: compact<TunnelSpec>(t) };
}

export interface RealServerDraft extends Inheritable {
  weight?: number | undefined;
  notifyUp?: ScriptSpec | undefined;
  notifyDown?: ScriptSpec | undefined;
  uthreshold?: number | undefined;
  lthreshold?: number | undefined;
  checkers: { draft: CheckerDraft; st: Statement }[];
}

const r = builders<RealServerDraft>();

export const realServerBlock: BlockSpec<RealServerDraft> = registerBlock<RealServerDraft>({
  name: 'real_server',
  doc: 'A real server (destination) of the virtual server, with its health checks.',
  newDraft: () => ({ checkers: [] }),
  keywords: [
    r.int(
      'weight',
      0,
      2147483647,
      'Scheduling weight (the virtual_server weight, 1); 0 = no new connections.',
      (d, v) => (d.weight = v),
    ),
    r.command('notify_up', 'Run when the server is added.', (d, v) => (d.notifyUp = v)),
    r.command('notify_down', 'Run when the server is removed.', (d, v) => (d.notifyDown = v)),
    r.int(
      'uthreshold',
      0,
      2147483647,
      'Connection count at which the server is overloaded (0 = none).',
      (d, v) => (d.uthreshold = v),
    ),
    r.int(
      'lthreshold',
      0,
      2147483647,
      'Connection count below which it is no longer overloaded.',
      (d, v) => (d.lthreshold = v),
    ),
    ...inheritableKeywords<RealServerDraft>(),
    ...checkerBlocks.map((spec) =>
      blockKeyword<RealServerDraft, CheckerDraft>({
        name: spec.name,
        syntax: '{ ... }',
        doc: spec.doc,
        child: spec,
        finish: (d, c, st) => d.checkers.push({ draft: c, st }),
      }),
    ),
  ],
});

export type { RealServer };
