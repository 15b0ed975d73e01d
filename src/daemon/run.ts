// Starting the daemon from parsed arguments: data plane choice, IPVS sysctls, the NDJSON logger on
// stdout, then the Daemon and its signal handlers. Kept apart from main.ts so `tandem -t` never
// loads the table, the data plane or koffi.

import type { DaemonArgs } from './args.js';
import { defaultCheckWorkers } from '../check/index.js';
import { Daemon } from './daemon.js';
import { handleSignals } from './lifecycle.js';
import { hostSysctls, parseSysctlArg } from './sysctl.js';
import { systemClock } from '../lib/clock.js';
import { createLogger, streamSink } from '../lib/log.js';

export function runDaemon(
  args: DaemonArgs,
  file: string,
  displayPath: (path: string) => string,
): number {
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
    ...(args.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: args.connectTimeoutMs }),
    checkWorkers: args.checkWorkers ?? defaultCheckWorkers(),
    displayPath,
    subsystems: { vrrp: !args.checkOnly, lvs: !args.vrrpOnly },
    ...(args.control === undefined ? {} : { controlPath: args.control }),
    diagnostics: (text) => process.stderr.write(text),
  });
  if (!daemon.start()) {
    process.stderr.write(`tandem: ${displayPath(file)}: configuration is invalid; not starting\n`);
    return 1;
  }
  handleSignals(daemon, log);
  return 0;
}
