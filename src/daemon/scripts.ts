// Runs notify and quorum scripts (notify_up, notify_down, quorum_up, quorum_down) as keepalived
// does: detached from the daemon, argv as parsed by the compiler, output discarded, the outcome
// logged. Script users and enable_script_security arrive with the notification subsystem.

import { spawn } from 'node:child_process';
import type { ScriptSpec } from '../config/index.js';
import type { Logger } from '../lib/log.js';

export function scriptRunner(log: Logger): (script: ScriptSpec, why: string) => void {
  return (script, why) => {
    const [cmd, ...args] = script.argv;
    if (cmd === undefined) return;
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', (err) => log.warn({ err, script: script.command, why }, 'cannot run script'));
    child.on('exit', (code, signal) =>
      log.debug({ script: script.command, why, code, signal }, 'script finished'),
    );
    child.unref();
  };
}
