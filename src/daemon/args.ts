// tandem's command line: keepalived's flags (keepalived(8); reference §4.5) plus tandem's own.
// Parsed with util.parseArgs; a usage error is a value, never an exception. tandem never forks:
// it always runs in the foreground, as keepalived does under systemd with --dont-fork, so -n is
// accepted and changes nothing.

import { parseArgs } from 'node:util';
import { LOG_FORMATS, parseFacility, type LogFormat } from '../lib/log-format.js';

/** Where the admin HTTP listener (/metrics, /status.json, the status page) binds by default. */
export const DEFAULT_ADMIN = { host: '127.0.0.1', port: 9716 } as const;

export interface AdminAddress {
  readonly host: string;
  readonly port: number;
}

export interface DaemonArgs {
  readonly useFile?: string;
  readonly configTest: boolean;
  readonly dumpConfig: boolean;
  readonly dumpTable: boolean;
  readonly configId?: string;
  readonly vrrpOnly: boolean;
  readonly checkOnly: boolean;
  readonly dontFork: boolean;
  readonly logConsole: boolean;
  readonly logDetail: boolean;
  readonly logFacility?: string;
  /** -S as a syslog facility code (LOG_LOCAL0 << 3 …); set exactly when logFacility is. */
  readonly syslogFacility?: number;
  /** stdout's format: NDJSON records (default) or keepalived's console lines. */
  readonly logFormat: LogFormat;
  readonly pidFile?: string;
  readonly dataplane?: string;
  /** -I: leave the kernel's IPVS services in place at stop (keepalived's --dont-release-ipvs). */
  readonly dontReleaseIpvs: boolean;
  /** nft data plane: the interface DR traffic arrives on and real servers are reached through. */
  readonly nftInterface?: string;
  /** nft data plane: masquerade NAT connections towards real servers. */
  readonly nftMasquerade: boolean;
  /** nft data plane: DR rr/wrr/sh/dh/mh services without persistence hash every packet. */
  readonly nftDrStateless: boolean;
  readonly control?: string;
  /** `--admin HOST:PORT|off`; undefined means DEFAULT_ADMIN. */
  readonly admin?: AdminAddress | 'off';
  /** `--signum=NAME`: print the signal number and exit, as keepalived --signum. */
  readonly signum?: string;
  /** `--sysctl net.ipv4.vs.NAME=VALUE`, repeatable. */
  readonly sysctls: readonly string[];
  /** Proxy data plane: upstream connect timeout, ms. */
  readonly connectTimeoutMs?: number;
  /** `--shutdown-drain SECONDS`: how long proxy relays may finish at stop, ms (default 5000). */
  readonly shutdownDrainMs?: number;
  /** Worker threads for the health checkers; 0 runs them on the main thread. */
  readonly checkWorkers?: number;
  readonly version: boolean;
  readonly help: boolean;
}

export type ParsedArgs = { ok: true; args: DaemonArgs } | { ok: false; message: string };

const OPTIONS = {
  'use-file': { type: 'string', short: 'f' },
  'config-test': { type: 'boolean', short: 't' },
  'dump-config': { type: 'boolean' },
  'dump-table': { type: 'boolean' },
  'config-id': { type: 'string', short: 'i' },
  vrrp: { type: 'boolean', short: 'P' },
  check: { type: 'boolean', short: 'C' },
  'dont-fork': { type: 'boolean', short: 'n' },
  'log-console': { type: 'boolean', short: 'l' },
  'log-detail': { type: 'boolean', short: 'D' },
  'log-facility': { type: 'string', short: 'S' },
  pid: { type: 'string', short: 'p' },
  dataplane: { type: 'string' },
  'dont-release-ipvs': { type: 'boolean', short: 'I' },
  'nft-interface': { type: 'string' },
  'nft-masquerade': { type: 'boolean' },
  'nft-dr-stateless': { type: 'boolean' },
  control: { type: 'string' },
  admin: { type: 'string' },
  'log-format': { type: 'string' },
  signum: { type: 'string' },
  sysctl: { type: 'string', multiple: true },
  'connect-timeout': { type: 'string' },
  'check-workers': { type: 'string' },
  'shutdown-drain': { type: 'string' },
  version: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseDaemonArgs(argv: readonly string[]): ParsedArgs {
  // keepalived spells the file of a config test as --config-test=FILE (optional value).
  const expanded = argv.flatMap((a) =>
    a.startsWith('--config-test=') ? ['--config-test', '--use-file', a.slice(14)] : [a],
  );
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];
  try {
    ({ values } = parseArgs({
      args: expanded,
      options: OPTIONS,
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  if (values.vrrp === true && values.check === true) {
    return { ok: false, message: '-P/--vrrp and -C/--check exclude each other' };
  }
  if (
    values.dataplane !== undefined &&
    !['proxy', 'nft', 'ipvs', 'auto'].includes(values.dataplane)
  ) {
    return {
      ok: false,
      message: `--dataplane must be ipvs, nft, proxy or auto, not '${values.dataplane}'`,
    };
  }
  const nftIf = values['nft-interface'];
  if (nftIf !== undefined && !/^[^\s/]{1,15}$/.test(nftIf)) {
    return { ok: false, message: `--nft-interface must be an interface name, not '${nftIf}'` };
  }
  const facilityText = values['log-facility'];
  const facility = facilityText === undefined ? undefined : parseFacility(facilityText);
  if (facilityText !== undefined && facility === undefined) {
    return {
      ok: false,
      message: `-S/--log-facility must be 0-7, local0-7, user or daemon, not '${facilityText}'`,
    };
  }
  const format = values['log-format'] ?? 'json';
  if (!isLogFormat(format)) {
    return { ok: false, message: `--log-format must be json or keepalived, not '${format}'` };
  }
  const admin = values.admin === undefined ? undefined : parseAdmin(values.admin);
  if (admin === null) {
    return {
      ok: false,
      message: `--admin must be HOST:PORT, [IPV6]:PORT or off, not '${values.admin ?? ''}'`,
    };
  }
  const ct = values['connect-timeout'];
  if (ct !== undefined && !/^[1-9]\d{0,6}$/.test(ct)) {
    return {
      ok: false,
      message: `--connect-timeout must be milliseconds (1-9999999), not '${ct}'`,
    };
  }
  const sd = values['shutdown-drain'];
  if (sd !== undefined && !/^(?:\d{1,4}(?:\.\d{1,3})?)$/.test(sd)) {
    return {
      ok: false,
      message: `--shutdown-drain must be seconds (0-9999, up to 3 decimals), not '${sd}'`,
    };
  }
  const cw = values['check-workers'];
  if (cw !== undefined && !/^([0-9]|[1-5][0-9]|6[0-4])$/.test(cw)) {
    return { ok: false, message: `--check-workers must be 0-64, not '${cw}'` };
  }
  const opt = <K extends string>(key: K, v: string | undefined): Partial<Record<K, string>> =>
    v === undefined ? {} : ({ [key]: v } as Record<K, string>);
  return {
    ok: true,
    args: {
      ...opt('useFile', values['use-file']),
      ...opt('configId', values['config-id']),
      ...opt('logFacility', values['log-facility']),
      ...opt('pidFile', values.pid),
      ...opt('dataplane', values.dataplane),
      ...opt('nftInterface', nftIf),
      nftMasquerade: values['nft-masquerade'] === true,
      nftDrStateless: values['nft-dr-stateless'] === true,
      ...opt('control', values.control),
      ...opt('signum', values.signum),
      ...(facility === undefined ? {} : { syslogFacility: facility }),
      ...(admin === undefined ? {} : { admin }),
      logFormat: format,
      sysctls: values.sysctl ?? [],
      ...(ct === undefined ? {} : { connectTimeoutMs: Number(ct) }),
      ...(cw === undefined ? {} : { checkWorkers: Number(cw) }),
      ...(sd === undefined ? {} : { shutdownDrainMs: Math.round(Number(sd) * 1000) }),
      configTest: values['config-test'] === true,
      dumpConfig: values['dump-config'] === true,
      dumpTable: values['dump-table'] === true,
      vrrpOnly: values.vrrp === true,
      checkOnly: values.check === true,
      dontFork: values['dont-fork'] === true,
      dontReleaseIpvs: values['dont-release-ipvs'] === true,
      logConsole: values['log-console'] === true,
      logDetail: values['log-detail'] === true,
      version: values.version === true,
      help: values.help === true,
    },
  };
}

function isLogFormat(s: string): s is LogFormat {
  return (LOG_FORMATS as readonly string[]).includes(s);
}

/** `127.0.0.1:9716`, `[::1]:9716`, `:9716` (every address) or `off`; null when malformed. */
export function parseAdmin(text: string): AdminAddress | 'off' | null {
  if (text === 'off') return 'off';
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = Number(m?.[3]);
  if (m === null || !(port >= 1 && port <= 65535)) return null;
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}

export const USAGE = `Usage: tandem [OPTION...]
High-availability Layer-4 load balancer: LVS + keepalived, rebuilt.

  -f, --use-file=FILE      configuration file (default /etc/keepalived/keepalived.conf,
                           then /etc/tandem/keepalived.conf)
  -t, --config-test[=FILE] check the configuration and exit (0 valid, 1 errors)
      --dump-config        print the compiled configuration as JSON and exit
      --dump-table         print the virtual server table the configuration programs,
                           as ipvsadm -L -n would list it, and exit
  -i, --config-id=ID       select @ID conditional lines (default: short host name)
  -P, --vrrp               run only VRRP
  -C, --check              run only the health checkers and data plane
  -n, --dont-fork          accepted for keepalived's command lines: tandem never forks and
                           always runs in the foreground (systemd Type=simple or notify)
  -l, --log-console        with -S, log to stdout as well as to syslog
  -D, --log-detail         detailed logging (debug level)
  -S, --log-facility=F     log to syslog (ident tandem) with facility F: 0-7 (local0-7),
                           local0-7, user or daemon; stdout is silent unless -l is given too
      --log-format=FORMAT  stdout's format: json (one record per line, the default) or
                           keepalived ('Fri Nov 27 09:18:59 2026: (VI_1) Entering MASTER STATE')
  -p, --pid=FILE           pid file (default /run/tandem.pid when root and -f is not given;
                           tandem refuses to start while the file names a live tandem)
      --dataplane=KIND     ipvs | nft | proxy | auto (default): how virtual servers forward.
                           ipvs programs the kernel's IPVS table over netlink, as keepalived
                           (root; loads ip_vs when missing; docs/ipvs-kernel.md); nft programs
                           LVS-DR and LVS-NAT with nftables (root; docs/nft.md); proxy relays
                           in userspace (no privileges); auto is ipvs when the kernel has IPVS
                           and tandem may change it, else nft when root and nftables work and
                           can program the configuration, else proxy
  -I, --dont-release-ipvs  ipvs: leave tandem's services in the kernel at stop
      --nft-interface=IF   nft: the interface VIP traffic arrives on and real servers are
                           reached through (default: from vrrp_instance, else the host's
                           addresses and subnets)
      --nft-masquerade     nft: masquerade LVS-NAT connections, so real servers need no
                           route back through the director
      --nft-dr-stateless   nft: LVS-DR services with rr, wrr, sh, dh or mh and no persistence
                           hash every packet over a slot table instead of recording flows
                           (faster; rr/wrr spread by hash, not strict rotation; a server that
                           returns or a weight change moves some flows: docs/nft.md)
      --control=PATH       control socket for tandemadm and 'tandem status' (default
                           /run/tandem/control.sock as root, else $XDG_RUNTIME_DIR/tandem/ or
                           /tmp/tandem-UID/; 'off' disables it)
      --admin=HOST:PORT    admin HTTP listener for /metrics, /status.json and the status page
                           (default 127.0.0.1:9716; 'off' disables it)
      --signum=NAME        print the number of the signal for DATA, STATS, JSON, RELOAD or STOP
      --connect-timeout=MS proxy data plane: reset the client when the real server has not
                           accepted within MS milliseconds (default 5000)
      --check-workers=N    run the health checkers in N worker threads, so probe load never
                           stalls the data plane (0: on the main thread; default: one per
                           core, at most 2)
      --shutdown-drain=S   proxy data plane: at stop, let established connections finish for
                           up to S seconds before cutting them (default 5; 0 cuts at once)
      --sysctl=NAME=VALUE  IPVS behaviour for the proxy data plane, as the kernel's
                           net.ipv4.vs sysctls (expire_nodest_conn, expire_quiescent_template,
                           conn_reuse_mode, sloppy_tcp); default: the host's values
  -T, --genhash ARGS...    genhash mode: fetch a url as HTTP_GET/SSL_GET would and print the
                           MD5 of the body (also 'tandem genhash ARGS...'; see 'tandem -T -h')
  -v, --version            print the version and exit
  -h, --help               print this help and exit

  tandem status [--json] [--control PATH]
                           the running daemon: VRRP instances, virtual and real servers with
                           health, weight, connections and rates, recent events.
  tandem demo [--smoke] [--prefix 127.P.Q]
                           a two-director HA cluster with three real servers on this
                           machine's loopback addresses, no root needed, and a tour of it;
                           Ctrl-C stops it. See 'tandem demo --help'.
  tandem realserver start|stop --vip ADDR [--vip ADDR...] [--dry-run]
                           prepare this host as an LVS-DR real server: each VIP on lo, ARP
                           replies for it suppressed (arp_ignore=1, arp_announce=2); stop
                           undoes it. See 'tandem realserver --help'.

Signals: HUP reloads; TERM and INT stop; USR1 writes $TMPDIR/tandem.data (JSON status); USR2
writes $TMPDIR/tandem.stats (keepalived's VRRP stats); RTMIN+2 writes $TMPDIR/tandem.json.

Exit status of -t, --dump-config and --dump-table: 0 no errors (warnings allowed), 1 errors in the
configuration, 2 invalid command line.
`;
