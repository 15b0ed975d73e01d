// Process lifecycle as keepalived's: SIGHUP reloads, SIGUSR1 dumps the status, SIGTERM and SIGINT
// stop cleanly (listeners closed, relays ended) and exit 0; a second signal exits at once. Unhandled
// rejections are logged and fatal, since a daemon must not lose errors silently.

import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../lib/log.js';
import type { Daemon } from './daemon.js';

export function handleSignals(daemon: Daemon, log: Logger): void {
  // The daemon runs until a signal, even with nothing to listen on yet.
  const alive = setInterval(() => undefined, 1 << 30);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, 'stopping');
    clearInterval(alive);
    daemon.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => daemon.reload());
  // keepalived writes /tmp/keepalived.data on SIGUSR1; we write the same moment's status as JSON.
  process.on('SIGUSR1', () => {
    const path = join(tmpdir(), 'tandem.data');
    daemon
      .status()
      .then((status) => {
        writeFileSync(path, `${JSON.stringify(status, null, 2)}\n`);
        log.info({ path }, 'status written');
      })
      .catch((err: unknown) => log.error({ err, path }, 'cannot write status'));
  });
  process.on('unhandledRejection', (err) => {
    log.fatal({ err }, 'unhandled rejection');
    process.exit(70);
  });
}
