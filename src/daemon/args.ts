// tandem's command line: keepalived's flags (keepalived(8); reference §4.5) plus tandem's own.
// Parsed with util.parseArgs; a usage error is a value, never an exception.

import { parseArgs } from 'node:util';

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
  readonly pidFile?: string;
  readonly dataplane?: string;
  readonly control?: string;
  /** `--sysctl net.ipv4.vs.NAME=VALUE`, repeatable. */
  readonly sysctls: readonly string[];
  /** Proxy data plane: upstream connect timeout, ms. */
  readonly connectTimeoutMs?: number;
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
  control: { type: 'string' },
  sysctl: { type: 'string', multiple: true },
  'connect-timeout': { type: 'string' },
  'check-workers': { type: 'string' },
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
      message: `--dataplane must be proxy, nft, ipvs or auto, not '${values.dataplane}'`,
    };
  }
  const ct = values['connect-timeout'];
  if (ct !== undefined && !/^[1-9]\d{0,6}$/.test(ct)) {
    return {
      ok: false,
      message: `--connect-timeout must be milliseconds (1-9999999), not '${ct}'`,
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
      ...opt('control', values.control),
      sysctls: values.sysctl ?? [],
      ...(ct === undefined ? {} : { connectTimeoutMs: Number(ct) }),
      ...(cw === undefined ? {} : { checkWorkers: Number(cw) }),
      configTest: values['config-test'] === true,
      dumpConfig: values['dump-config'] === true,
      dumpTable: values['dump-table'] === true,
      vrrpOnly: values.vrrp === true,
      checkOnly: values.check === true,
      dontFork: values['dont-fork'] === true,
      logConsole: values['log-console'] === true,
      logDetail: values['log-detail'] === true,
      version: values.version === true,
      help: values.help === true,
    },
  };
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
  -n, --dont-fork          stay in the foreground
  -l, --log-console        log to the console
  -D, --log-detail         detailed logging
  -S, --log-facility=N     syslog facility (0-7, local0-7)
  -p, --pid=FILE           pid file
      --dataplane=KIND     proxy | nft | ipvs | auto
      --control=PATH       control socket path
      --connect-timeout=MS proxy data plane: reset the client when the real server has not
                           accepted within MS milliseconds (default 5000)
      --check-workers=N    run the health checkers in N worker threads, so probe load never
                           stalls the data plane (0: on the main thread; default: one per
                           core, at most 2)
      --sysctl=NAME=VALUE  IPVS behaviour for the proxy data plane, as the kernel's
                           net.ipv4.vs sysctls (expire_nodest_conn, expire_quiescent_template,
                           conn_reuse_mode, sloppy_tcp); default: the host's values
  -T, --genhash ARGS...    genhash mode: fetch a url as HTTP_GET/SSL_GET would and print the
                           MD5 of the body (also 'tandem genhash ARGS...'; see 'tandem -T -h')
  -v, --version            print the version and exit
  -h, --help               print this help and exit

Exit status of -t, --dump-config and --dump-table: 0 no errors (warnings allowed), 1 errors in the
configuration, 2 invalid command line.
`;
