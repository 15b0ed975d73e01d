// Applies one option to the parse state, in argv order, with ipvsadm 1.31's checks and
// wording (parse_options in ipvsadm.c; shared/reference/ipvs.md §6.2). Returns the message of
// ipvsadm's `fail(2, …)` when the option or its value is refused.

import type { OptName } from './options.js';
import { OPTION_SLOT } from './options.js';
import type { ParseState } from './state.js';
import {
  atoi,
  inetAton,
  ipv4Multicast,
  ipv6Multicast,
  parseFwmark,
  parseHostPort,
  stringToNumber,
} from './values.js';
import type { ServiceLookup } from './values.js';

/** 31 days: the longest persistence timeout and --set value ipvsadm accepts. */
export const MAX_TIMEOUT = 86400 * 31;
/** IPVS_SVC_PERSISTENT_TIMEOUT: `-p` without a value. */
export const DEFAULT_PERSISTENT_TIMEOUT = 360;
const INT_MAX = 2147483647;

const PROTOCOL_OF = { t: 'TCP', u: 'UDP', sctp: 'SCTP' } as const;

type Ranged = (st: ParseState, n: number) => void;

/** Options whose value is a number in a range, with ipvsadm's message when it is not. */
const RANGED: Readonly<Record<string, readonly [number, number, string, Ranged]>> = {
  w: [0, 65535, 'illegal weight specified', (st, n) => (st.dest.weight = n)],
  x: [0, INT_MAX, 'illegal u_threshold specified', (st, n) => (st.dest.uThreshold = n)],
  y: [0, INT_MAX, 'illegal l_threshold specified', (st, n) => (st.dest.lThreshold = n)],
  syncid: [0, 255, 'illegal syncid specified', (st, n) => (st.daemon.syncId = n)],
  'mcast-port': [1, 65535, 'illegal mcast-port specified', (st, n) => (st.daemon.mcastPort = n)],
  'mcast-ttl': [1, 255, 'illegal mcast-ttl specified', (st, n) => (st.daemon.mcastTtl = n)],
  'sync-maxlen': [
    1,
    65535 - 20 - 8,
    'illegal sync-maxlen specified',
    (st, n) => (st.daemon.syncMaxlen = n),
  ],
  'tun-port': [1, 65535, 'illegal tunnel port specified', (st, n) => (st.dest.tunPort = n)],
};

/** Format flags that are plain switches. */
const SWITCHES: Readonly<Record<string, keyof ParseState['format'] | undefined>> = {
  n: 'numeric',
  c: undefined,
  timeout: undefined,
  daemon: undefined,
  stats: 'stats',
  rate: 'rate',
  thresholds: 'thresholds',
  'persistent-conn': 'persistentConn',
  nosort: 'nosort',
  X: 'exact',
  'tun-info': 'tunInfo',
};

const TUN_FLAG = { 'tun-nocsum': 0, 'tun-csum': 1, 'tun-remcsum': 2 } as const;

function setOption(st: ParseState, name: OptName): string | undefined {
  if (st.options.has(name)) return `multiple '${name}' options specified`;
  st.options.add(name);
  return undefined;
}

/**
 * Apply option `tag` (with its argument) to `st`. `word` is the argv word popt read last, for
 * "invalid option" (a second command). Returns a `fail(2, …)` message or undefined.
 */
export function applyOption(
  st: ParseState,
  tag: string,
  arg: string | undefined,
  word: string,
  lookup: ServiceLookup | undefined,
): string | undefined {
  const slot = OPTION_SLOT[tag];
  if (slot !== undefined) {
    const dup = setOption(st, slot);
    if (dup !== undefined) return dup;
  }
  const value = arg ?? '';
  const ranged = RANGED[tag];
  if (ranged !== undefined) {
    const [min, max, message, set] = ranged;
    const n = stringToNumber(value, min, max);
    if (n === undefined) return message;
    set(st, n);
    return undefined;
  }
  if (tag in SWITCHES) {
    const flag = SWITCHES[tag];
    if (flag !== undefined) st.format[flag] = true;
    return undefined;
  }
  switch (tag) {
    case 't':
    case 'u':
    case 'sctp': {
      st.svc.protocol = PROTOCOL_OF[tag];
      const hp = parseHostPort(value, st.svc.protocol, lookup);
      if (hp === undefined) return 'illegal virtual server address[:port] specified';
      st.svc.family = hp.family;
      st.svc.address = hp.address;
      if (hp.family === 'inet6') st.svc.netmask = 128;
      if (hp.port !== undefined) st.svc.port = hp.port;
      return undefined;
    }
    case 'f': {
      st.svc.family = 'inet';
      st.svc.protocol = 'TCP';
      const mark = parseFwmark(value);
      if (mark === undefined) return `invalid fwmark value \`${value}' specified`;
      st.svc.fwmark = mark;
      return undefined;
    }
    case 's':
      st.svc.scheduler = value.slice(0, 15);
      return undefined;
    case 'p': {
      st.svc.persistent = true;
      if (arg === undefined) {
        st.svc.timeout = DEFAULT_PERSISTENT_TIMEOUT;
        return undefined;
      }
      const t = stringToNumber(arg, 1, MAX_TIMEOUT);
      if (t === undefined) return `invalid timeout value \`${arg}' specified`;
      st.svc.timeout = t;
      return undefined;
    }
    case 'M': {
      if (st.svc.family !== 'inet6') {
        const mask = inetAton(value);
        if (mask === undefined) return 'illegal virtual server persistent mask specified';
        st.svc.netmask = mask;
        return undefined;
      }
      const len = atoi(value);
      st.svc.netmask = len;
      return len < 1 || len > 128 ? 'illegal ipv6 netmask specified' : undefined;
    }
    case 'r': {
      const hp = parseHostPort(value, st.svc.protocol, lookup);
      if (hp === undefined) return 'illegal real server address[:port] specified';
      st.dest.family = hp.family;
      st.dest.address = hp.address;
      st.dest.port = hp.port ?? st.svc.port;
      return undefined;
    }
    case 'i':
      st.dest.method = 'tunnel';
      return undefined;
    case 'g':
      st.dest.method = 'route';
      return undefined;
    case 'm':
      st.dest.method = 'masq';
      return undefined;
    case 'mcast-interface':
      st.daemon.mcastInterface = value.slice(0, 15);
      return undefined;
    case 'sort':
      return undefined;
    case '6':
      if (st.svc.fwmark === 0) return '-6 used before -f\n';
      st.svc.family = 'inet6';
      st.svc.netmask = 128;
      return undefined;
    case 'o':
      st.svc.onePacket = true;
      return undefined;
    case 'pe':
      st.svc.pe = value.slice(0, 16);
      return undefined;
    case 'b':
      st.schedFlagsArg = value.slice(0, 127);
      return undefined;
    case 'mcast-group':
      if (value.includes(':')) {
        if (!ipv6Multicast(value)) return `invalid IPv6 mcast-group \`${value}'`;
      } else if (!ipv4Multicast(value)) {
        return `invalid IPv4 mcast-group \`${value}'`;
      }
      st.daemon.mcastGroup = value;
      return undefined;
    case 'tun-type':
      if (value !== 'ipip' && value !== 'gue' && value !== 'gre') {
        return 'illegal tunnel type specified';
      }
      st.dest.tunType = value;
      return undefined;
    case 'tun-nocsum':
    case 'tun-csum':
    case 'tun-remcsum':
      st.dest.tunFlags |= TUN_FLAG[tag];
      return undefined;
    default:
      // A command letter after the command, -h/-v, or --start-daemon again.
      return `invalid option \`${word}'`;
  }
}
