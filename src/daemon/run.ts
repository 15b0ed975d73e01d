// Starting the daemon from parsed arguments: data plane choice, IPVS sysctls, the logger (stdout
// and/or syslog, log-output.ts), the pid file, then the Daemon and its signal handlers. Kept apart
// from main.ts so `tandem -t` never loads the table, the data plane or koffi.

import { DEFAULT_ADMIN, type DaemonArgs } from './args.js';
import { defaultCheckWorkers } from '../check/index.js';
import { Daemon } from './daemon.js';
import { handleSignals } from './lifecycle.js';
import { logOutputOf, outputSink } from './log-output.js';
import { defaultControlPath } from '../control/index.js';
import { choosePlane, ipvsPlaneFactory, nftPlaneFactory } from './dataplane-choice.js';
import { checkNftConfig } from '../dataplane/nft/index.js';
import { claimPidfile, DEFAULT_PIDFILE, releasePidfile } from './pidfile.js';
import { hostSysctls, parseSysctlArg } from './sysctl.js';
import { systemClock } from '../lib/clock.js';
import { createLogger } from '../lib/log.js';

/** docs/proxy.md: established relays get 5 s to finish at stop unless --shutdown-drain says. */
export const DEFAULT_SHUTDOWN_DRAIN_MS = 5000;

/** -p, or the system instance's file when root runs the default configuration (no -f). */
export function pidfileOf(args: DaemonArgs, uid = process.getuid?.()): string | undefined {
  if (args.pidFile !== undefined) return args.pidFile;
  return args.useFile === undefined && uid === 0 ? DEFAULT_PIDFILE : undefined;
}

export function runDaemon(
  args: DaemonArgs,
  file: string,
  displayPath: (path: string) => string,
): number {
  const kind = (args.dataplane ?? 'auto') as 'proxy' | 'nft' | 'ipvs' | 'auto';
  const choice = choosePlane({
    dataplane: kind,
    vrrpOnly: args.vrrpOnly,
    file,
    ...(args.configId === undefined ? {} : { configId: args.configId }),
  });
  if (!choice.ok) {
    process.stderr.write(`tandem: ${choice.message}\n`);
    return 1;
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
  const output = logOutputOf(args);
  const sink = outputSink(output, (line) => process.stdout.write(line));
  if (!sink.ok) {
    process.stderr.write(`tandem: -S: ${sink.message}\n`);
    return 1;
  }
  const log = createLogger({ level: args.logDetail ? 'debug' : 'info', write: sink.write });
  if (kind === 'auto') {
    log.info(
      {
        dataplane: choice.kind,
        ...((choice.kind === 'proxy' || choice.kind === 'ipvs') && choice.why
          ? { why: choice.why }
          : {}),
      },
      'data plane chosen',
    );
  }
  const pidfile = pidfileOf(args);
  if (pidfile !== undefined) {
    const claimed = claimPidfile(pidfile);
    if (!claimed.ok) {
      process.stderr.write(`tandem: ${claimed.message}\n`);
      return 1;
    }
  }
  const release = (): void => {
    if (pidfile !== undefined) releasePidfile(pidfile);
  };
  const nft =
    choice.kind === 'nft'
      ? {
          dataplane: nftPlaneFactory({
            runner: choice.runner,
            clock: systemClock,
            masquerade: args.nftMasquerade,
            drStateless: args.nftDrStateless,
            ...(args.nftInterface === undefined ? {} : { nftInterface: args.nftInterface }),
          }),
          configCheck: checkNftConfig,
        }
      : choice.kind === 'ipvs'
        ? {
            dataplane: ipvsPlaneFactory({
              kernel: choice.kernel,
              clock: systemClock,
              dontRelease: args.dontReleaseIpvs,
            }),
          }
        : {};
  const daemon = new Daemon({
    file,
    ...(args.configId === undefined ? {} : { configId: args.configId }),
    log,
    clock: systemClock,
    sysctls,
    ...(args.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: args.connectTimeoutMs }),
    checkWorkers: args.checkWorkers ?? defaultCheckWorkers(),
    shutdownDrainMs: args.shutdownDrainMs ?? DEFAULT_SHUTDOWN_DRAIN_MS,
    displayPath,
    subsystems: { vrrp: !args.checkOnly, lvs: !args.vrrpOnly },
    ...(args.control === 'off' ? {} : { controlPath: args.control ?? defaultControlPath() }),
    ...(args.admin === 'off' ? {} : { admin: args.admin ?? DEFAULT_ADMIN }),
    logOutput: output,
    diagnostics: (text) => process.stderr.write(text),
    ...nft,
  });
  if (!daemon.start()) {
    void daemon.plane.close();
    release();
    process.stderr.write(`tandem: ${displayPath(file)}: configuration is invalid; not starting\n`);
    return 1;
  }
  handleSignals(daemon, log, { onStopped: release });
  return 0;
}
