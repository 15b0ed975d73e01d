// ipvsadm 1.31's checks after all options are read (process_options, parse_sched_flags,
// generic_opt_check, tunnel_opt_check in ipvsadm.c; shared/reference/ipvs.md §6.2), in
// ipvsadm's order, so the first problem reported is the one ipvsadm would report. Each
// returns the message of its `fail(2, …)`, or undefined when the state passes.

import { COMMAND_OPTIONS, OPT_NAMES, TUNNEL_OPTIONS, TUNNEL_OPT_NAMES } from './options.js';
import type { OptName } from './options.js';
import type { ParseState } from './state.js';

/** ipvsadm's default scheduler. */
export const DEFAULT_SCHEDULER = 'wlc';

/** parse_sched_flags: `-b` words, checked against the scheduler they belong to. */
export function checkSchedFlags(st: ParseState): string | undefined {
  if (st.schedFlagsArg === '') return undefined;
  const sched = st.svc.scheduler === '' ? DEFAULT_SCHEDULER : st.svc.scheduler;
  st.svc.sched1 = false;
  st.svc.sched2 = false;
  st.svc.sched3 = false;
  const words = st.schedFlagsArg.split(',').filter((w) => w !== '');
  // ipvsadm crashes on a list of only commas; refusing it as an empty flag is the sane reading.
  if (words.length === 0) return "invalid scheduler flag `'";
  for (const flag of words) {
    switch (flag) {
      case 'flag-1':
        st.svc.sched1 = true;
        break;
      case 'flag-2':
        st.svc.sched2 = true;
        break;
      case 'flag-3':
        st.svc.sched3 = true;
        break;
      case 'sh-fallback':
      case 'sh-port':
      case 'mh-fallback':
      case 'mh-port':
        if (sched !== flag.slice(0, 2)) return `incompatible scheduler flag \`${flag}'`;
        if (flag.endsWith('fallback')) st.svc.sched1 = true;
        else st.svc.sched2 = true;
        break;
      default:
        return `invalid scheduler flag \`${flag}'`;
    }
  }
  return undefined;
}

/** generic_opt_check: compulsory, illegal and mutually exclusive options per command. */
export function checkCommandOptions(st: ParseState): string | undefined {
  if (st.cmd === undefined) return undefined;
  const row = COMMAND_OPTIONS[st.cmd];
  let first: OptName | undefined;
  for (const [j, name] of OPT_NAMES.entries()) {
    const rule = row.charAt(j);
    if (!st.options.has(name)) {
      if (rule === '+')
        return `You need to supply the '${name}' option for the '${st.cmd}' command`;
      continue;
    }
    if (rule === 'x') return `Illegal '${name}' option with the '${st.cmd}' command`;
    if (rule === '1') {
      if (first === undefined) {
        first = name;
        continue;
      }
      return `The option '${name}' conflicts with the '${first}' option in the '${st.cmd}' command`;
    }
  }
  return undefined;
}

/** The add/edit-service rules: a port-0 service must be persistent; -o is for UDP (or fwmark). */
export function checkServiceRules(st: ParseState): string | undefined {
  if (st.cmd !== 'add-service' && st.cmd !== 'edit-service') return undefined;
  const { svc } = st;
  if (svc.fwmark === 0 && svc.port === 0 && !svc.persistent) {
    return 'Zero port specified for non-persistent service';
  }
  if (svc.onePacket && svc.fwmark === 0 && svc.protocol !== 'UDP') {
    return 'One-Packet Scheduling is only for UDP virtual services';
  }
  if (svc.scheduler === '') svc.scheduler = DEFAULT_SCHEDULER;
  return undefined;
}

function checkTunnelOptions(st: ParseState): string | undefined {
  const type = st.dest.tunType;
  const row = TUNNEL_OPTIONS[type];
  let first: string | undefined;
  for (const [j, name] of TUNNEL_OPT_NAMES.entries()) {
    const rule = row.charAt(j);
    if (!st.options.has(name)) {
      if (rule === '+')
        return `You need to supply the '${name}' option for the '${type}' tunnel type`;
      continue;
    }
    if (rule === 'x') return `Illegal '${name}' option with the '${type}' tunnel type`;
    if (rule === '1') {
      if (first === undefined) {
        first = name;
        continue;
      }
      return `The option '${name}' conflicts with the '${first}' option in the '${type}' tunnel type`;
    }
  }
  return undefined;
}

const TUNNEL_OPTS: readonly OptName[] = [
  'tun-type',
  'tun-port',
  'tun-nocsum',
  'tun-csum',
  'tun-remcsum',
];

/**
 * The add/edit-server rules: DR and tunnel destinations take the service port (unless fwmark),
 * only tunnels may cross address families or carry tunnel options.
 */
export function checkServerRules(st: ParseState): string | undefined {
  if (st.cmd !== 'add-server' && st.cmd !== 'edit-server') return undefined;
  const { svc, dest } = st;
  if (svc.fwmark === 0 && (dest.method === 'tunnel' || dest.method === 'route'))
    dest.port = svc.port;
  if (dest.family !== svc.family && dest.method !== 'tunnel') {
    return 'Different address family is allowed only for tunneling servers';
  }
  if (TUNNEL_OPTS.some((o) => st.options.has(o)) && dest.method !== 'tunnel') {
    return 'Tunnel options conflict with forward method';
  }
  return checkTunnelOptions(st);
}

/** The list command's own conflicts, reported without naming the options. */
export function checkListOptions(st: ParseState): string | undefined {
  if (st.cmd !== 'list') return undefined;
  const has = (...names: OptName[]): boolean => names.some((n) => st.options.has(n));
  if (
    (has('connection', 'timeout', 'daemon') && has('stats', 'rate', 'thresholds')) ||
    (has('timeout', 'daemon') && has('persistent-conn'))
  ) {
    return 'options conflicts in the list command';
  }
  return undefined;
}
