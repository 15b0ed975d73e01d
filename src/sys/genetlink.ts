// Generic netlink requests (genetlink.h; netlink(7)) over the socket code of netlink.ts: resolve
// a family by name through nlctrl, then send commands to it and decode the replies' genl
// headers. A family that is not registered (its module not loaded) resolves to ENOENT, the
// kernel's own answer. Failures are values, as in netlink.ts.

import {
  fail,
  netlinkRequest,
  NETLINK_GENERIC,
  type RequestOptions,
  type RtnlFailure,
} from './netlink.js';
import {
  decodeFamily,
  decodeGenl,
  encodeGenlHeader,
  familyRequest,
  GENL_HDRLEN,
  GENL_ID_CTRL,
  type GenlFamily,
  type GenlMessage,
} from './genl-codec.js';

export type { GenlFamily, GenlMessage };

export type GenlReply =
  { readonly ok: true; readonly messages: readonly GenlMessage[] } | RtnlFailure;

export type FamilyResult = { readonly ok: true; readonly family: GenlFamily } | RtnlFailure;

/** What genlRequest needs: the socket (optional), the timeout. */
export type GenlOptions = Omit<RequestOptions, 'protocol'>;

/** CTRL_CMD_GETFAMILY: the id the kernel gave family `name`; ENOENT when it has none. */
export function resolveFamily(name: string, opts: GenlOptions = {}): FamilyResult {
  const { body, attrs } = familyRequest(name);
  const r = netlinkRequest(
    { type: GENL_ID_CTRL, flags: 0, body, attrs },
    { ...opts, protocol: NETLINK_GENERIC },
  );
  if (!r.ok) return r;
  for (const m of r.messages) {
    const f = decodeFamily(m.payload);
    if (f.ok) return { ok: true, family: f.value };
    return fail('EPROTO', `garbled nlctrl reply (${f.reason})`);
  }
  return fail('EPROTO', 'nlctrl sent no family');
}

/**
 * One command to `family` with its encoded attributes: `flags` are NLM_F_* beyond REQUEST (DUMP
 * for a dump); replies are decoded down to their genl header and attributes.
 */
export function genlRequest(
  family: number,
  version: number,
  cmd: number,
  attrs: Uint8Array,
  flags: number,
  opts: GenlOptions = {},
): GenlReply {
  const body = new Uint8Array(GENL_HDRLEN + attrs.length);
  body.set(encodeGenlHeader(cmd, version));
  body.set(attrs, GENL_HDRLEN);
  const r = netlinkRequest({ type: family, flags, body }, { ...opts, protocol: NETLINK_GENERIC });
  if (!r.ok) return r;
  const out: GenlMessage[] = [];
  for (const m of r.messages) {
    if (m.type !== family) continue;
    const g = decodeGenl(m.payload);
    if (!g.ok) return fail('EPROTO', `garbled generic netlink reply (${g.reason})`);
    out.push(g.value);
  }
  return { ok: true, messages: out };
}
