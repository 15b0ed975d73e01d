// virtual_server_group (keepalived.conf(5); reference §1.8): a list of addresses, ranges
// (10.0.0.1-10, 10.0.0.1-10.0.0.10), IPv4 prefixes and firewall marks that share one
// virtual_server definition. Ranges are expanded later, per table service (ipvs/config-map.ts).

import { ipv4ToNumber, numberToIpv4, parseIp, parsePrefix } from '../../lib/inet.js';
import type { VsgMember } from '../model.js';
import { registerBlock, type BlockSpec } from '../schema.js';
import { integer, oneOf, port } from '../values.js';
import { compact } from './common.js';

export interface VsgDraft {
  members: VsgMember[];
}

export const virtualServerGroupBlock: BlockSpec<VsgDraft> = registerBlock<VsgDraft>({
  name: 'virtual_server_group',
  doc: 'Addresses, ranges and firewall marks that share one virtual_server definition.',
  keywords: [],
  newDraft: () => ({ members: [] }),
  item: {
    syntax: 'IP[-LAST|/LEN] [PORT] | fwmark N [inet|inet6]',
    apply: (d, st, cx) => {
      const [p] = st.args;
      if (st.keyword.text === 'fwmark') {
        const n = p === undefined ? undefined : integer(p, cx, 1, 0xffffffff);
        const fam =
          st.args[1] === undefined
            ? undefined
            : oneOf(st.args[1], cx, ['inet', 'inet6'] as const, 'family');
        if (n !== undefined) d.members.push(compact({ kind: 'fwmark', fwmark: n, family: fam }));
        return;
      }
      const range = groupRange(st.keyword.text);
      if (range === undefined) {
        cx.sink.error(
          'CFG_INVALID_ADDRESS',
          st.keyword.at,
          `'${st.keyword.text}' is not an address, range (10.0.0.1-10 or 10.0.0.1-10.0.0.10) or IPv4 prefix`,
        );
        return;
      }
      const portNo = p === undefined ? undefined : port(p, cx);
      d.members.push(compact({ kind: 'range', ...range, port: portNo }));
    },
  },
});

function groupRange(
  text: string,
): { first: string; last: string; family: 'inet' | 'inet6' } | undefined {
  const dash = text.indexOf('-');
  if (dash < 0) {
    const p = parsePrefix(text);
    if (p === undefined) return undefined;
    if (p.family === 'inet6') {
      // A whole IPv6 prefix is not expanded; only a host prefix names one address.
      return p.prefixLength === 128 ? { first: p.text, last: p.text, family: p.family } : undefined;
    }
    const size = 2 ** (32 - p.prefixLength);
    const base = ipv4ToNumber(p.text) - (ipv4ToNumber(p.text) % size);
    return { first: numberToIpv4(base), last: numberToIpv4(base + size - 1), family: 'inet' };
  }
  const first = parseIp(text.slice(0, dash));
  const tail = text.slice(dash + 1);
  if (first === undefined) return undefined;
  if (/^\d+$/.test(tail) && first.family === 'inet') {
    const parts = first.text.split('.');
    parts[3] = tail;
    const last = parseIp(parts.join('.'));
    return last === undefined ? undefined : { first: first.text, last: last.text, family: 'inet' };
  }
  const last = parseIp(tail);
  return last?.family === first.family
    ? { first: first.text, last: last.text, family: first.family }
    : undefined;
}
