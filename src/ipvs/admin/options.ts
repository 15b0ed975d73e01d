// ipvsadm 1.31's option table and its table of legal command/option combinations
// (shared/reference/ipvs.md §6.1, §6.2). The words in CMD_NAMES and OPT_NAMES are the ones
// ipvsadm puts in its error messages ("Illegal 'weight' option with the 'list' command"), so
// they are kept exactly, including "flush" for -C and "set" for --set.

export type ArgKind = 'none' | 'required' | 'optional';

/** One entry of ipvsadm's popt table. `tag` identifies the option independently of spelling. */
export interface OptionDef {
  readonly tag: string;
  readonly long: string;
  readonly short?: string;
  readonly arg: ArgKind;
}

const opt = (tag: string, long: string, short: string | undefined, arg: ArgKind): OptionDef =>
  short === undefined ? { tag, long, arg } : { tag, long, short, arg };

/** In ipvsadm's order: popt takes the first entry that matches (`--list` is -L, not -l). */
export const OPTION_DEFS: readonly OptionDef[] = [
  opt('A', 'add-service', 'A', 'none'),
  opt('E', 'edit-service', 'E', 'none'),
  opt('D', 'delete-service', 'D', 'none'),
  opt('C', 'clear', 'C', 'none'),
  opt('L', 'list', 'L', 'none'),
  opt('l', 'list', 'l', 'none'),
  opt('Z', 'zero', 'Z', 'none'),
  opt('a', 'add-server', 'a', 'none'),
  opt('e', 'edit-server', 'e', 'none'),
  opt('d', 'delete-server', 'd', 'none'),
  opt('set', 'set', undefined, 'none'),
  opt('h', 'help', 'h', 'none'),
  opt('v', 'version', 'v', 'none'),
  opt('R', 'restore', 'R', 'none'),
  opt('S', 'save', 'S', 'none'),
  opt('start-daemon', 'start-daemon', undefined, 'required'),
  opt('stop-daemon', 'stop-daemon', undefined, 'required'),
  opt('t', 'tcp-service', 't', 'required'),
  opt('u', 'udp-service', 'u', 'required'),
  opt('sctp', 'sctp-service', undefined, 'required'),
  opt('f', 'fwmark-service', 'f', 'required'),
  opt('s', 'scheduler', 's', 'required'),
  opt('p', 'persistent', 'p', 'optional'),
  opt('M', 'netmask', 'M', 'required'),
  opt('r', 'real-server', 'r', 'required'),
  opt('m', 'masquerading', 'm', 'none'),
  opt('i', 'ipip', 'i', 'none'),
  opt('g', 'gatewaying', 'g', 'none'),
  opt('w', 'weight', 'w', 'required'),
  opt('x', 'u-threshold', 'x', 'required'),
  opt('y', 'l-threshold', 'y', 'required'),
  opt('n', 'numeric', 'n', 'none'),
  opt('c', 'connection', 'c', 'none'),
  opt('mcast-interface', 'mcast-interface', undefined, 'required'),
  opt('syncid', 'syncid', undefined, 'required'),
  opt('timeout', 'timeout', undefined, 'none'),
  opt('daemon', 'daemon', undefined, 'none'),
  opt('stats', 'stats', undefined, 'none'),
  opt('rate', 'rate', undefined, 'none'),
  opt('thresholds', 'thresholds', undefined, 'none'),
  opt('persistent-conn', 'persistent-conn', undefined, 'none'),
  opt('nosort', 'nosort', undefined, 'none'),
  opt('sort', 'sort', undefined, 'none'),
  opt('X', 'exact', 'X', 'none'),
  opt('6', 'ipv6', '6', 'none'),
  opt('o', 'ops', 'o', 'none'),
  opt('pe', 'pe', undefined, 'required'),
  opt('b', 'sched-flags', 'b', 'required'),
  opt('mcast-group', 'mcast-group', undefined, 'required'),
  opt('mcast-port', 'mcast-port', undefined, 'required'),
  opt('mcast-ttl', 'mcast-ttl', undefined, 'required'),
  opt('sync-maxlen', 'sync-maxlen', undefined, 'required'),
  opt('tun-info', 'tun-info', undefined, 'none'),
  opt('tun-type', 'tun-type', undefined, 'required'),
  opt('tun-port', 'tun-port', undefined, 'required'),
  opt('tun-nocsum', 'tun-nocsum', undefined, 'none'),
  opt('tun-csum', 'tun-csum', undefined, 'none'),
  opt('tun-remcsum', 'tun-remcsum', undefined, 'none'),
];

/** ipvsadm's OPTC_* numbering: the bit each option sets, and its name in messages. */
export const OPT_NAMES = [
  'numeric',
  'connection',
  'service-address',
  'scheduler',
  'persistent',
  'netmask',
  'real-server',
  'forwarding-method',
  'weight',
  'u-threshold',
  'l-threshold',
  'mcast-interface',
  'timeout',
  'daemon',
  'stats',
  'rate',
  'thresholds',
  'persistent-conn',
  'nosort',
  'syncid',
  'exact',
  'ops',
  'pe',
  'sched-flags',
  'mcast-group',
  'mcast-port',
  'mcast-ttl',
  'sync-maxlen',
  'tun-info',
  'tun-type',
  'tun-port',
  'tun-nocsum',
  'tun-csum',
  'tun-remcsum',
] as const;

export type OptName = (typeof OPT_NAMES)[number];

/** Which OPTC an option tag counts as (tags without one, such as -6 and --sort, are absent). */
export const OPTION_SLOT: Readonly<Record<string, OptName>> = {
  n: 'numeric',
  c: 'connection',
  t: 'service-address',
  u: 'service-address',
  sctp: 'service-address',
  f: 'service-address',
  s: 'scheduler',
  p: 'persistent',
  M: 'netmask',
  r: 'real-server',
  m: 'forwarding-method',
  i: 'forwarding-method',
  g: 'forwarding-method',
  w: 'weight',
  x: 'u-threshold',
  y: 'l-threshold',
  'mcast-interface': 'mcast-interface',
  timeout: 'timeout',
  daemon: 'daemon',
  stats: 'stats',
  rate: 'rate',
  thresholds: 'thresholds',
  'persistent-conn': 'persistent-conn',
  nosort: 'nosort',
  syncid: 'syncid',
  X: 'exact',
  o: 'ops',
  pe: 'pe',
  b: 'sched-flags',
  'mcast-group': 'mcast-group',
  'mcast-port': 'mcast-port',
  'mcast-ttl': 'mcast-ttl',
  'sync-maxlen': 'sync-maxlen',
  'tun-info': 'tun-info',
  'tun-type': 'tun-type',
  'tun-port': 'tun-port',
  'tun-nocsum': 'tun-nocsum',
  'tun-csum': 'tun-csum',
  'tun-remcsum': 'tun-remcsum',
};

/** ipvsadm's command names, in CMD_* order. */
export const CMD_NAMES = [
  'add-service',
  'edit-service',
  'delete-service',
  'flush',
  'list',
  'add-server',
  'delete-server',
  'edit-server',
  'set',
  'start-daemon',
  'stop-daemon',
  'restore',
  'save',
  'zero',
] as const;

export type CmdName = (typeof CMD_NAMES)[number];

/**
 * commands_v_options: one character per OPT_NAMES entry. `+` compulsory, `x` illegal,
 * `1` at most one of the `1` options, space optional.
 */
// prettier-ignore
export const COMMAND_OPTIONS: Readonly<Record<CmdName, string>> = {
  //                 -n -c svc -s -p -M -r fwd -w -x -y mc tot dmn st rt thr pc srt sid ex ops pe b grp port ttl size tinf type tprt nocs csum remc
  'add-service':    'xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx',
  'edit-service':   'xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx',
  'delete-service': 'xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  flush:            'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  list:             ' 11xxxxxxxxx11       xxxxxxx xxxxx',
  'add-server':     'xx+xxx+    xxxxxxxxxxxxxxxxxx     ',
  'delete-server':  'xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxx',
  'edit-server':    'xx+xxx+    xxxxxxxxxxxxxxxxxx     ',
  set:              'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  'start-daemon':   'xxxxxxxxxxx xxxxxxx xxxx    xxxxxx',
  'stop-daemon':    'xxxxxxxxxxxxxxxxxxx xxxxxxxxxxxxxx',
  restore:          'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  save:             ' xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  zero:             'xx xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
};

/** tunnel_types_v_options over (tun-port, tun-nocsum, tun-csum, tun-remcsum). */
export const TUNNEL_OPTIONS = {
  ipip: 'xxxx',
  gue: '+111',
  gre: 'x11x',
} as const;

export const TUNNEL_OPT_NAMES = ['tun-port', 'tun-nocsum', 'tun-csum', 'tun-remcsum'] as const;
