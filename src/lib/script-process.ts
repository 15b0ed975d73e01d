// Starting a script process as keepalived does (vrrp_script, notify scripts): no shell, its own
// process group so a timeout can kill whatever it forked, stdio on /dev/null, optionally another
// user (uid/gid; libuv also drops supplementary groups). One implementation for every caller.

import { spawn } from 'node:child_process';

export interface ScriptIds {
  readonly uid: number;
  readonly gid: number;
}

export type ScriptExit =
  | { readonly type: 'exit'; readonly code: number }
  | { readonly type: 'signal'; readonly signal: NodeJS.Signals }
  | { readonly type: 'error'; readonly message: string };

export interface SpawnedScript {
  /** Signal the script's whole process group. */
  kill(signal: 'SIGTERM' | 'SIGKILL'): void;
}

/** Starts one process; `onExit` is called exactly once, possibly before spawn() returns. */
export interface ScriptSpawner {
  spawn(
    argv: readonly string[],
    ids: ScriptIds | undefined,
    onExit: (exit: ScriptExit) => void,
  ): SpawnedScript;
}

function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // already gone
  }
}

/** Real processes; `env` replaces the environment (default: the daemon's own). */
export function scriptSpawner(opts: { readonly env?: NodeJS.ProcessEnv } = {}): ScriptSpawner {
  return {
    spawn(argv, ids, onExit) {
      const [file = '', ...args] = argv;
      let done = false;
      const finish = (e: ScriptExit): void => {
        if (done) return;
        done = true;
        onExit(e);
      };
      const child = spawn(file, args, {
        detached: true,
        stdio: 'ignore',
        ...(opts.env === undefined ? {} : { env: opts.env }),
        ...(ids === undefined ? {} : { uid: ids.uid, gid: ids.gid }),
      });
      child.unref();
      child.once('error', (err: NodeJS.ErrnoException) => {
        finish({ type: 'error', message: `exec error ${err.code ?? err.message}` });
      });
      child.once('exit', (code, signal) => {
        // Whatever the script forked goes with it, as keepalived's kill(-pid) does.
        if (child.pid !== undefined && signal !== null) killGroup(child.pid, 'SIGKILL');
        if (code !== null) finish({ type: 'exit', code });
        else finish({ type: 'signal', signal: signal ?? 'SIGKILL' });
      });
      return {
        kill: (sig) => {
          if (child.pid !== undefined) killGroup(child.pid, sig);
        },
      };
    },
  };
}
