// Starting a notify script process (reference §2.9): no shell, its own process group so a
// timeout can kill whatever it forked, stdio on /dev/null, and an environment of PATH only —
// keepalived's scripts see no daemon internals either, and a notify script must not depend on
// how the daemon was started. uid/gid switch the user (libuv also drops supplementary groups).

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
export interface NotifySpawner {
  spawn(
    argv: readonly string[],
    ids: ScriptIds | undefined,
    onExit: (exit: ScriptExit) => void,
  ): SpawnedScript;
}

export const SCRIPT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // already gone
  }
}

export const systemNotifySpawner: NotifySpawner = {
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
      env: { PATH: process.env.PATH ?? SCRIPT_PATH },
      ...(ids === undefined ? {} : { uid: ids.uid, gid: ids.gid }),
    });
    child.unref();
    child.once('error', (err: NodeJS.ErrnoException) => {
      finish({ type: 'error', message: `exec error ${err.code ?? err.message}` });
    });
    child.once('exit', (code, signal) => {
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
