#!/usr/bin/env node
// tandem's entry point: the configuration compiler (-t, --dump-config, --dump-table) and the
// daemon (the default), which runs the configured virtual servers through a data plane.

import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import {
  compileConfig,
  formatDiagnostics,
  summarize,
  type CompileResult,
} from '../config/index.js';
import { applyConfig, IpvsTable, renderList, schedulerFactory } from '../ipvs/index.js';
import { VERSION } from '../lib/version.js';
import { parseDaemonArgs, USAGE, type DaemonArgs } from './args.js';
import { Daemon } from './daemon.js';
import { handleSignals } from './lifecycle.js';
import { hostSysctls, parseSysctlArg } from './sysctl.js';
import { systemClock } from '../lib/clock.js';
import { createLogger, streamSink } from '../lib/log.js';
import { hostInterfaces } from './host.js';

const DEFAULT_FILES = ['/etc/keepalived/keepalived.conf', '/etc/tandem/keepalived.conf'];

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') || rel === '' ? path : rel;
}

function summary(r: CompileResult): string {
  const c = r.config;
  const rs = c.virtualServers.reduce((n, v) => n + v.realServers.length, 0);
  const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `${plural(c.vrrpInstances.length, 'vrrp_instance')}, ${plural(c.virtualServers.length, 'virtual_server')} with ${plural(rs, 'real_server')}`;
}

function runDaemon(args: DaemonArgs, file: string): number {
  if (args.vrrpOnly) {
    process.stderr.write('tandem: -P/--vrrp: the VRRP subsystem is not implemented yet\n');
    return 2;
  }
  const kind = args.dataplane ?? 'auto';
  if (kind !== 'proxy' && kind !== 'auto') {
    process.stderr.write(
      `tandem: --dataplane=${kind} is not implemented yet; use --dataplane=proxy\n`,
    );
    return 2;
  }
  const sysctls = hostSysctls();
  for (const arg of args.sysctls) {
    const r = parseSysctlArg(arg);
    if (!r.ok) {
      process.stderr.write(`tandem: ${r.message}\n`);
      return 2;
    }
    Object.assign(sysctls, r.value);
  }
  // A closed stdout (the log reader went away) must not take the daemon down.
  process.stdout.on('error', () => undefined);
  const log = createLogger({
    level: args.logDetail ? 'debug' : 'info',
    write: streamSink(process.stdout),
  });
  const daemon = new Daemon({
    file,
    ...(args.configId === undefined ? {} : { configId: args.configId }),
    log,
    clock: systemClock,
    sysctls,
    displayPath,
    diagnostics: (text) => process.stderr.write(text),
  });
  if (!daemon.start()) {
    process.stderr.write(`tandem: ${displayPath(file)}: configuration is invalid; not starting\n`);
    return 1;
  }
  handleSignals(daemon, log);
  return 0;
}

function main(argv: readonly string[]): number {
  const parsed = parseDaemonArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`tandem: ${parsed.message}\nTry 'tandem --help' for more information.\n`);
    return 2;
  }
  const args = parsed.args;
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.version) {
    process.stdout.write(`tandem v${VERSION}\n`);
    return 0;
  }
  const file = args.useFile ?? DEFAULT_FILES.find((f) => existsSync(f)) ?? DEFAULT_FILES[0] ?? '';
  if (!args.configTest && !args.dumpConfig && !args.dumpTable) return runDaemon(args, file);
  const result = compileConfig(file, {
    interfaces: hostInterfaces(),
    ...(args.configId === undefined ? {} : { configId: args.configId }),
  });
  process.stderr.write(formatDiagnostics(result.diagnostics, { displayPath }));
  if (args.dumpConfig) process.stdout.write(`${JSON.stringify(result.config, null, 2)}\n`);
  if (args.dumpTable && result.ok) {
    const table = new IpvsTable({ now: () => performance.now(), schedulers: schedulerFactory });
    applyConfig(table, result.config);
    process.stdout.write(renderList(table.snapshot()));
  }
  const counts = summarize(result.diagnostics);
  if (!result.ok) {
    process.stderr.write(`tandem: ${displayPath(file)}: configuration is invalid (${counts})\n`);
    return 1;
  }
  if (args.configTest) {
    process.stdout.write(
      `tandem: ${displayPath(file)}: configuration is valid (${summary(result)})${counts === '' ? '' : `; ${counts}`}\n`,
    );
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
