// Finishing a checker draft into the model: inherited values (real_server, then
// virtual_server) and the per-type defaults keepalived 2.2.7 uses:
//   retry: TCP/HTTP/SSL/SMTP/UDP/PING 1, DNS 3, MISC 0 (nb_get_retry is the old name)
//   delay_before_retry: HTTP/SSL 3 s, DNS = delay_loop, others 1 s; warmup = delay_loop.
// Objects are built field by field, not by spreading drafts: a 1,000-virtual-server config has
// 10,000 checkers, and the spreads were the compiler's hottest code.

import type { Checker, CheckerType } from '../model.js';
import type { Statement } from '../parser.js';
import type { Cx } from '../schema.js';
import { pos } from '../values.js';
import type { CheckerDraft } from './checkers.js';
import { compact } from './common.js';

/** Values a checker inherits from its real_server and virtual_server. */
export interface Inherited {
  readonly connectTimeout: number;
  readonly delayLoop: number;
  readonly retry?: number | undefined;
  readonly delayBeforeRetry?: number | undefined;
  readonly warmup?: number | undefined;
  readonly alpha: boolean;
  readonly virtualhost?: string | undefined;
  readonly logAllFailures: boolean;
}

const RETRY: Readonly<Record<CheckerType, number>> = {
  TCP_CHECK: 1,
  HTTP_GET: 1,
  SSL_GET: 1,
  SMTP_CHECK: 1,
  DNS_CHECK: 3,
  MISC_CHECK: 0,
  UDP_CHECK: 1,
  PING_CHECK: 1,
  FILE_CHECK: 0,
  BFD_CHECK: 0,
};

/** Sets a field only when it has a value (the model's optional fields are absent, not undefined). */
function put(out: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) out[key] = value;
}

/**
 * The fields every checker has. Built field by field rather than by spreading the draft (10,000
 * checkers in a large config made the spreads the compiler's hottest code), in the same order:
 * the draft's own fields in the order the block gave them, then the resolved timing fields.
 */
function commonFields(d: CheckerDraft, inh: Inherited, at: Statement): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const draft = d as unknown as Record<string, unknown>;
  for (const k in draft) {
    if (k !== 'type' && k !== 'fields' && k !== 'url') put(out, k, draft[k]);
  }
  const delayLoop = d.delayLoop ?? inh.delayLoop;
  out.at = pos(at.keyword.at);
  put(out, 'connectTimeout', d.connectTimeout ?? inh.connectTimeout);
  put(out, 'retry', d.retry ?? inh.retry ?? RETRY[d.type]);
  put(
    out,
    'delayBeforeRetry',
    d.delayBeforeRetry ??
      inh.delayBeforeRetry ??
      (d.type === 'HTTP_GET' || d.type === 'SSL_GET' ? 3 : d.type === 'DNS_CHECK' ? delayLoop : 1),
  );
  put(out, 'warmup', d.warmup ?? inh.warmup ?? delayLoop);
  put(out, 'delayLoop', delayLoop);
  put(out, 'alpha', d.alpha ?? inh.alpha);
  put(out, 'logAllFailures', d.logAllFailures ?? inh.logAllFailures);
  return out;
}

function fieldString(f: Record<string, unknown>, k: string): string | undefined {
  const v = f[k];
  return typeof v === 'string' ? v : undefined;
}

function fieldNumber(f: Record<string, unknown>, k: string): number | undefined {
  const v = f[k];
  return typeof v === 'number' ? v : undefined;
}

export function finishChecker(
  d: CheckerDraft,
  inh: Inherited,
  cx: Cx,
  at: Statement,
): Checker | undefined {
  const f = d.fields;
  if (d.type === 'FILE_CHECK' || d.type === 'BFD_CHECK') {
    const where = pos(at.keyword.at);
    const need = d.type === 'FILE_CHECK' ? 'track_file' : 'name';
    const value = f[d.type === 'FILE_CHECK' ? 'trackFile' : 'name'];
    if (typeof value !== 'string') {
      cx.sink.error('CFG_MISSING_REQUIRED', at.keyword.at, `${d.type} needs '${need}'`);
      return undefined;
    }
    return d.type === 'FILE_CHECK'
      ? compact<Checker>({
          type: d.type,
          at: where,
          trackFile: value,
          weight: fieldNumber(f, 'weight'),
          weightReverse: f.weightReverse === true,
          dynamic: f.dynamic === true,
        })
      : { type: d.type, at: where, name: value, alpha: d.alpha ?? inh.alpha };
  }
  const out = commonFields(d, inh, at);
  const delayLoop = d.delayLoop ?? inh.delayLoop;
  switch (d.type) {
    case 'TCP_CHECK':
    case 'PING_CHECK':
      out.type = d.type;
      break;
    case 'HTTP_GET':
    case 'SSL_GET':
      if (d.url.length === 0)
        cx.sink.warning(
          'CFG_EMPTY',
          at.keyword.at,
          `${d.type} has no url block: it only checks that the server answers`,
        );
      out.type = d.type;
      out.url = d.url;
      out.httpProtocol = fieldString(f, 'httpProtocol') ?? '1.0';
      put(out, 'virtualhost', fieldString(f, 'virtualhost') ?? inh.virtualhost);
      out.fastRecovery = f.fastRecovery === true;
      out.enableSni = f.enableSni === true;
      put(out, 'sniName', fieldString(f, 'sniName'));
      out.tlsCompliant = f.tlsCompliant === true;
      break;
    case 'SMTP_CHECK':
      out.type = d.type;
      out.heloName = f.heloName ?? 'smtpchecker.keepalived.org';
      break;
    case 'DNS_CHECK':
      out.type = d.type;
      out.queryType = f.queryType ?? 'SOA';
      out.name = f.name ?? '.';
      break;
    case 'MISC_CHECK': {
      const path = f.miscPath as Extract<Checker, { type: 'MISC_CHECK' }>['miscPath'] | undefined;
      if (path === undefined) {
        cx.sink.error('CFG_MISSING_REQUIRED', at.keyword.at, "MISC_CHECK needs 'misc_path'");
        return undefined;
      }
      const user = f.user as string | undefined;
      const group = f.group as string | undefined;
      out.type = d.type;
      out.miscPath = compact({ ...path, user: user ?? path.user, group: group ?? path.group });
      out.miscTimeout = f.miscTimeout ?? delayLoop;
      out.miscDynamic = f.miscDynamic === true;
      break;
    }
    case 'UDP_CHECK':
      out.type = d.type;
      put(out, 'payload', fieldString(f, 'payload'));
      put(out, 'requireReply', fieldString(f, 'requireReply'));
      out.minReplyLength = fieldNumber(f, 'minReplyLength') ?? 0;
      out.maxReplyLength = fieldNumber(f, 'maxReplyLength') ?? 255;
      break;
  }
  return out as unknown as Checker;
}
