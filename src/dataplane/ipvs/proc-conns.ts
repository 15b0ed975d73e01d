// The kernel's connection table as /proc/net/ip_vs_conn shows it (ip_vs_conn_seq_show), which is
// also where `ipvsadm -L -c` reads it: generic netlink has no connection dump. One line per
// entry after a title: protocol, client, virtual and destination addresses with ports in hex
// (IPv4 as 8 hex digits of the host-order number, IPv6 in full colon form), the state name,
// seconds left, then the persistence engine's name and data when it has them. Pure; a line
// that does not parse is skipped, never thrown on.

import { readFileSync } from 'node:fs';
import { formatIpv6, ipv6Bytes, numberToIpv4, type Family } from '../../lib/inet.js';
import { TCP_STATE_NAMES } from '../../ipvs/index.js';
import type { ConnSnapshot, ConnState, ServiceProtocol } from '../../ipvs/snapshot.js';

export const PROC_IP_VS_CONN = '/proc/net/ip_vs_conn';

/** The file's text; undefined when it cannot be read (no ip_vs module, another netns). */
export function readProcConns(path = PROC_IP_VS_CONN): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

// TCP's names are the table's own; the rest are the kernel's UDP and SCTP states.
const STATES: ReadonlySet<string> = new Set<ConnState>([
  ...TCP_STATE_NAMES,
  'UDP',
  'ASSURED',
  'INIT1',
  'INIT',
  'COOKIE_SENT',
  'COOKIE_REPLIED',
  'COOKIE_WAIT',
  'COOKIE_ECHOED',
  'SHUTDOWN_SENT',
  'SHUTDOWN_RECEIVED',
  'SHUTDOWN_ACK_SENT',
  'REJECTED',
  'CLOSED',
  'ERR!',
]);

function isState(s: string): s is ConnState {
  return STATES.has(s);
}

const PROTOCOLS: ReadonlySet<string> = new Set(['TCP', 'UDP', 'SCTP', 'IP']);

function isProtocol(s: string): s is ServiceProtocol | 'IP' {
  return PROTOCOLS.has(s);
}

/** `0A000001` (IPv4) or `2001:0db8:...` (IPv6, %pI6) as canonical text and family. */
function address(field: string): { text: string; family: Family } | undefined {
  if (field.includes(':')) {
    const b = ipv6Bytes(field);
    return b === undefined ? undefined : { text: formatIpv6(b), family: 'inet6' };
  }
  if (!/^[0-9A-Fa-f]{1,8}$/.test(field)) return undefined;
  return { text: numberToIpv4(parseInt(field, 16) >>> 0), family: 'inet' };
}

function port(field: string): number | undefined {
  return /^[0-9A-Fa-f]{1,4}$/.test(field) ? parseInt(field, 16) : undefined;
}

/** One entry line; undefined for the title and anything malformed. */
export function parseConnLine(line: string): ConnSnapshot | undefined {
  const f = line.trim().split(/\s+/);
  if (f.length < 9) return undefined;
  const [proto = '', ca = '', cp = '', va = '', vp = '', da = '', dp = '', state = '', exp = ''] =
    f;
  if (!isProtocol(proto) || !/^\d+$/.test(exp)) return undefined;
  const client = address(ca);
  const virtual = address(va);
  const dest = address(da);
  const cport = port(cp);
  const vport = port(vp);
  const dport = port(dp);
  if (client === undefined || virtual === undefined || dest === undefined) return undefined;
  if (cport === undefined || vport === undefined || dport === undefined) return undefined;
  const [peName, peData] = f.slice(9);
  return {
    protocol: proto,
    family: client.family,
    clientAddress: client.text,
    clientPort: cport,
    virtualAddress: virtual.text,
    virtualPort: vport,
    destAddress: dest.text,
    destPort: dport,
    state: isState(state) ? state : 'ERR!',
    expiresMs: Number(exp) * 1000,
    // Persistence templates have client port 0 (and IP as protocol for fwmark services).
    template: state === 'NONE' || state === 'ASSURED' ? cport === 0 : false,
    ...(peName === undefined ? {} : { peName }),
    ...(peData === undefined ? {} : { peData }),
  };
}

/** Every entry of the file's text, in the kernel's order. */
export function parseProcConns(text: string): ConnSnapshot[] {
  const out: ConnSnapshot[] = [];
  for (const line of text.split('\n')) {
    const c = parseConnLine(line);
    if (c !== undefined) out.push(c);
  }
  return out;
}
