// Process lifecycle as keepalived's (keepalived.md §4.3): SIGHUP reloads; SIGUSR1 writes the data
// dump ($TMPDIR/tandem.data, the status as JSON), SIGUSR2 the stats dump ($TMPDIR/tandem.stats,
// keepalived's format) and SIGRTMIN+2 the JSON dump ($TMPDIR/tandem.json); SIGTERM and SIGINT
// stop cleanly (listeners closed, relays ended, pid file removed) and exit 0; a second signal
// exits at once. Unhandled rejections are logged and fatal: a daemon must not lose errors.

import { writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../lib/log.js';
import type { Daemon } from './daemon.js';
import type { DaemonStatus } from './status.js';
import { renderStats } from './stats-dump.js';

/**
 * keepalived's --signum names. JSON is SIGRTMIN+2: 36 with glibc, whose SIGRTMIN is 34 (NPTL
 * keeps 32 and 33); Node has no name for real-time signals, so the number is fixed here.
 */
export const SIGNUMS: Readonly<Record<string, number>> = {
  RELOAD: constants.signals.SIGHUP,
  STOP: constants.signals.SIGTERM,
  DATA: constants.signals.SIGUSR1,
  STATS: constants.signals.SIGUSR2,
  JSON: 34 + 2,
};

export interface LifecycleOptions {
  /** Called once the daemon has stopped, before exit (the pid file goes here). */
  readonly onStopped?: () => void;
  /** Where dumps go; $TMPDIR (or /tmp) by default, as keepalived's /tmp files. */
  readonly dumpDir?: string;
}

type Dump = (status: DaemonStatus) => string;

const json: Dump = (status) => `${JSON.stringify(status, null, 2)}\n`;
const stats: Dump = (status) => renderStats(status.vrrp);

export function handleSignals(daemon: Daemon, log: Logger, opts: LifecycleOptions = {}): void {
  // The daemon runs until a signal, even with nothing to listen on yet.
  const alive = setInterval(() => undefined, 1 << 30);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, 'stopping');
    clearInterval(alive);
    daemon.stop().then(
      () => {
        opts.onStopped?.();
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'error while stopping');
        opts.onStopped?.();
        process.exit(1);
      },
    );
  };
  const dir = opts.dumpDir ?? tmpdir();
  const dump = (file: string, render: Dump, msg: string) => (): void => {
    const path = join(dir, file);
    daemon
      .status()
      .then((status) => {
        writeFileSync(path, render(status));
        log.info({ path }, msg);
      })
      .catch((err: unknown) => log.error({ err, path }, `cannot write ${file}`));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => daemon.reload());
  process.on('SIGUSR1', dump('tandem.data', json, 'status written'));
  process.on('SIGUSR2', dump('tandem.stats', stats, 'stats written'));
  if (!onSignalNumber(SIGNUMS.JSON ?? 36, dump('tandem.json', json, 'json written'))) {
    log.warn({}, 'cannot watch SIGRTMIN+2: no JSON dump on that signal');
  }
  process.on('unhandledRejection', (err) => {
    log.fatal({ err }, 'unhandled rejection');
    process.exit(70);
  });
}

interface SignalHandle {
  onsignal: (signum: number) => void;
  start: (signum: number) => number;
  unref: () => void;
}

/**
 * A handler for a signal Node cannot name (process.on takes only os.constants.signals names):
 * libuv's signal watcher, which handles any number, reached through the legacy binding. Without
 * a handler a real-time signal's default action would kill the daemon. False if unavailable.
 */
export function onSignalNumber(signum: number, fn: () => void): boolean {
  const quiet = process.noDeprecation === true;
  try {
    // The binding's deprecation warning would be noise on every start.
    process.noDeprecation = true;
    const binding = (process as unknown as { binding: (n: string) => unknown }).binding(
      'signal_wrap',
    ) as { Signal: new () => SignalHandle };
    const handle = new binding.Signal();
    handle.onsignal = () => fn();
    if (handle.start(signum) !== 0) return false;
    handle.unref();
    return true;
  } catch {
    return false;
  } finally {
    process.noDeprecation = quiet;
  }
}
