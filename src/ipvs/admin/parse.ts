// Reads an ipvsadm command line into a typed command, or into the error ipvsadm 1.31 would
// print (its wording and exit status), following process_options/parse_options in ipvsadm.c
// (shared/reference/ipvs.md §6.1, §6.2). Pure: no kernel, no resolver. The command must be
// the first option, as in ipvsadm; no arguments at all means `-L`. The kernel's own refusals
// are out of reach here, except one it is useful to know early: an unknown scheduler or
// persistence engine ("Scheduler or persistence engine not found", as ENOENT reads).

import { numberToIpv4 } from '../../lib/inet.js';
import type { ServiceKey } from '../service-key.js';
import type { TunnelInfo } from '../snapshot.js';
import { applyOption, MAX_TIMEOUT } from './apply.js';
import {
  checkCommandOptions,
  checkListOptions,
  checkSchedFlags,
  checkServerRules,
  checkServiceRules,
} from './checks.js';
import type { IpvsadmCommand, ListView, ParseResult } from './command.js';
import type { CmdName } from './options.js';
import { poptScanner } from './popt.js';
import { initialState } from './state.js';
import type { ParseState } from './state.js';
import { stringToNumber } from './values.js';
import type { ServiceLookup } from './values.js';

/** Scheduler modules of Linux IPVS (plus "none"): anything else is ENOENT from the kernel. */
export const KNOWN_SCHEDULERS: readonly string[] = [
  'rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh', 'twos', 'none',
]; // prettier-ignore
export const KNOWN_PERSISTENCE_ENGINES: readonly string[] = ['sip'];

export interface ParseOptions {
  /** argv[0] as ipvsadm names itself in "Try `ipvsadm -h' …". */
  readonly program?: string;
  /** Port names for `host:name` (getservbyname). Without it only numbers are ports. */
  readonly lookupService?: ServiceLookup;
  /** Scheduler names accepted by add/edit-service; default KNOWN_SCHEDULERS. */
  readonly schedulers?: readonly string[];
  /** Persistence engines accepted by --pe; default KNOWN_PERSISTENCE_ENGINES. */
  readonly persistenceEngines?: readonly string[];
  /** True for lines of `-R` input, where another -R is refused. */
  readonly restoring?: boolean;
}

const COMMAND_OF: Readonly<Record<string, CmdName>> = {
  A: 'add-service',
  E: 'edit-service',
  D: 'delete-service',
  C: 'flush',
  L: 'list',
  l: 'list',
  Z: 'zero',
  a: 'add-server',
  e: 'edit-server',
  d: 'delete-server',
  set: 'set',
  R: 'restore',
  S: 'save',
  'start-daemon': 'start-daemon',
  'stop-daemon': 'stop-daemon',
};

const fail = (message: string, exitCode = 2): ParseResult => ({
  ok: false,
  error: { message, exitCode },
});

function tryHelp(program: string): ParseResult {
  return fail(`Try \`${program} -h' or '${program} --help' for more information.`, 255);
}

/** `ipvsadm <argv>` (argv without the program name). */
export function parseIpvsadmArgs(argv: readonly string[], options: ParseOptions = {}): ParseResult {
  const program = options.program ?? 'ipvsadm';
  if (argv.length === 0 && options.restoring !== true) {
    return { ok: true, command: listCommand('services', undefined, initialState()) };
  }
  const scanner = poptScanner(argv);
  const st = initialState();

  const first = scanner.next();
  if (first.kind !== 'option') return tryHelp(program);
  const tag = first.def.tag;
  if (tag === 'h') return { ok: true, command: { command: 'help' } };
  if (tag === 'v') return { ok: true, command: { command: 'version' } };
  const cmd = COMMAND_OF[tag];
  if (cmd === undefined) return tryHelp(program);
  st.cmd = cmd;
  if (cmd === 'start-daemon' || cmd === 'stop-daemon') {
    if (first.arg === 'master' || first.arg === 'backup') st.daemon.state = first.arg;
    else {
      return fail(
        cmd === 'start-daemon'
          ? 'illegal start-daemon parameter specified'
          : 'illegal start_daemon specified',
      );
    }
  }

  for (;;) {
    const ev = scanner.next();
    if (ev.kind === 'end') break;
    if (ev.kind === 'error') return fail(ev.message, 255);
    const err = applyOption(st, ev.def.tag, ev.arg, scanner.lastWord(), options.lookupService);
    if (err !== undefined) return fail(err);
  }

  let timeouts: [number, number, number] | undefined;
  if (cmd === 'set') {
    const words = [scanner.takeLeftover(), scanner.takeLeftover(), scanner.takeLeftover()];
    const [a, b, c] = words;
    if (a === undefined || b === undefined || c === undefined) {
      return fail('--set option requires 3 timeout values');
    }
    const values: number[] = [];
    for (const w of [a, b, c]) {
      const v = stringToNumber(w, 0, MAX_TIMEOUT);
      if (v === undefined) return fail(`invalid timeout value \`${w}' specified`);
      values.push(v);
    }
    timeouts = [values[0] ?? 0, values[1] ?? 0, values[2] ?? 0];
  }
  const extra = scanner.takeLeftover();
  if (extra !== undefined) return fail(`unexpected argument ${extra}`);

  const err =
    checkSchedFlags(st) ??
    checkCommandOptions(st) ??
    checkServiceRules(st) ??
    checkServerRules(st) ??
    checkListOptions(st);
  if (err !== undefined) return fail(err);
  if (cmd === 'restore' && options.restoring === true) return tryHelp(program);

  const built = buildCommand(cmd, st, timeouts);
  if (built.command === 'add-service' || built.command === 'edit-service') {
    const scheds = options.schedulers ?? KNOWN_SCHEDULERS;
    const pes = options.persistenceEngines ?? KNOWN_PERSISTENCE_ENGINES;
    if (!scheds.includes(built.scheduler) || (built.pe !== undefined && !pes.includes(built.pe))) {
      return fail('Scheduler or persistence engine not found', 255);
    }
  }
  return { ok: true, command: built };
}

function serviceKey(st: ParseState): ServiceKey {
  const { svc } = st;
  if (svc.fwmark !== 0) {
    return {
      kind: 'fwmark',
      family: svc.family === 'inet6' ? 'inet6' : 'inet',
      fwmark: svc.fwmark,
    };
  }
  return {
    kind: 'address',
    protocol: svc.protocol ?? 'TCP',
    family: svc.family ?? 'inet',
    address: svc.address,
    port: svc.port,
  };
}

function listCommand(
  view: ListView,
  service: ServiceKey | undefined,
  st: ParseState,
): IpvsadmCommand {
  const f = st.format;
  const listOptions = {
    stats: f.stats,
    rate: f.rate,
    thresholds: f.thresholds,
    persistentConn: f.persistentConn,
    tunInfo: f.tunInfo,
    exact: f.exact,
    nosort: f.nosort,
  };
  const base = { command: 'list', view, numeric: f.numeric, options: listOptions } as const;
  return service === undefined ? base : { ...base, service };
}

const CSUM = ['nocsum', 'csum', 'remcsum'] as const;

function tunnelInfo(st: ParseState): TunnelInfo {
  const { tunType, tunPort, tunFlags } = st.dest;
  const csum = CSUM[tunFlags] ?? 'nocsum';
  switch (tunType) {
    case 'ipip':
      return { type: 'ipip' };
    case 'gue':
      return { type: 'gue', port: tunPort, csum };
    case 'gre':
      return { type: 'gre', csum };
  }
}

function buildCommand(
  cmd: CmdName,
  st: ParseState,
  timeouts: [number, number, number] | undefined,
): IpvsadmCommand {
  const { svc, dest, daemon } = st;
  const has = (name: Parameters<ParseState['options']['has']>[0]): boolean => st.options.has(name);
  switch (cmd) {
    case 'add-service':
    case 'edit-service': {
      const spec = {
        command: cmd,
        service: serviceKey(st),
        scheduler: svc.scheduler,
        flags: {
          persistent: svc.persistent,
          onePacket: svc.onePacket,
          sched1: svc.sched1,
          sched2: svc.sched2,
          sched3: svc.sched3,
        },
        timeout: svc.persistent ? svc.timeout : 0,
        netmask: svc.family === 'inet6' ? String(svc.netmask) : numberToIpv4(svc.netmask >>> 0),
      };
      return svc.pe === '' ? spec : { ...spec, pe: svc.pe };
    }
    case 'delete-service':
      return { command: cmd, service: serviceKey(st) };
    case 'add-server':
    case 'edit-server': {
      const server = {
        address: dest.address,
        family: dest.family ?? 'inet',
        port: dest.port,
        method: dest.method,
        weight: dest.weight,
        uThreshold: dest.uThreshold,
        lThreshold: dest.lThreshold,
      };
      const tunnel = dest.method === 'tunnel' ? { tunnel: tunnelInfo(st) } : {};
      return { command: cmd, service: serviceKey(st), server: { ...server, ...tunnel } };
    }
    case 'delete-server':
      return {
        command: cmd,
        service: serviceKey(st),
        server: { address: dest.address, family: dest.family ?? 'inet', port: dest.port },
      };
    case 'flush':
      return { command: 'clear' };
    case 'list': {
      if (has('connection')) return listCommand('connections', undefined, st);
      if (has('service-address')) return listCommand('service', serviceKey(st), st);
      if (has('timeout')) return listCommand('timeout', undefined, st);
      if (has('daemon')) return listCommand('daemon', undefined, st);
      return listCommand('services', undefined, st);
    }
    case 'zero':
      return has('service-address')
        ? { command: 'zero', service: serviceKey(st) }
        : { command: 'zero' };
    case 'set': {
      const [tcp, tcpfin, udp] = timeouts ?? [0, 0, 0];
      return { command: 'set-timeout', tcp, tcpfin, udp };
    }
    case 'start-daemon':
      return {
        command: 'start-daemon',
        state: daemon.state ?? 'master',
        mcastInterface: daemon.mcastInterface === '' ? 'eth0' : daemon.mcastInterface,
        syncId: daemon.syncId,
        ...(daemon.syncMaxlen === undefined ? {} : { syncMaxlen: daemon.syncMaxlen }),
        ...(daemon.mcastGroup === undefined ? {} : { mcastGroup: daemon.mcastGroup }),
        ...(daemon.mcastPort === undefined ? {} : { mcastPort: daemon.mcastPort }),
        ...(daemon.mcastTtl === undefined ? {} : { mcastTtl: daemon.mcastTtl }),
      };
    case 'stop-daemon':
      return has('syncid')
        ? { command: 'stop-daemon', state: daemon.state ?? 'master', syncId: daemon.syncId }
        : { command: 'stop-daemon', state: daemon.state ?? 'master' };
    case 'restore':
      return { command: 'restore' };
    case 'save':
      return { command: 'save', numeric: st.format.numeric };
  }
}
