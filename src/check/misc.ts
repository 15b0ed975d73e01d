// MISC_CHECK, one attempt (keepalived check_misc.c misc_check_child_thread; keepalived.conf(5)
// MISC_CHECK `misc_path`, `misc_timeout`, `misc_dynamic`, `user`). The script runs without a
// shell (argv as parsed by the config layer, as keepalived 2.x execs it), in its own process
// group, stdio on /dev/null. Exit 0 is success; with misc_dynamic, 2..255 is success too and sets
// the weight to status − 2 (exit 0 then restores the configured weight). Anything else fails. On
// misc_timeout the whole group gets SIGTERM, then SIGKILL 2 s later if it is still there; death
// by the signal we sent reads "timed out", any other signal "failed (due to signal N)".

import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { MiscCheck } from '../config/model.js';
import { lookupUser, type UserIds } from '../sys/users.js';
import type { Probe, ProbeFailure, ProbeResult } from './probe.js';

export interface MiscProbeOptions {
  /** global_defs script_user, used when the checker sets no `user`. Else the daemon's user. */
  readonly scriptUser?: string | { readonly user: string; readonly group?: string };
  /** The script's environment (default: the daemon's). */
  readonly env?: Readonly<Record<string, string>>;
  /** `[10.0.0.100]:tcp:80`: the VS part of keepalived's "Misc check for [RS VS VS]" line. */
  readonly vsLabel?: string;
  /** The real server's configured weight, restored by exit 0 under misc_dynamic. */
  readonly realServerWeight?: number;
}

/** keepalived's grace between SIGTERM and SIGKILL (check_misc.c, `timeout = 2`). */
export const MISC_KILL_GRACE_MS = 2000;

type RunState = 'running' | 'terminating' | 'killing';

function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // the group is gone already
  }
}

export function miscProbe(check: MiscCheck, opts: MiscProbeOptions = {}): Probe {
  const spec = check.miscPath;
  const [file = spec.command, ...args] = spec.argv;
  const fallback =
    typeof opts.scriptUser === 'string' ? { user: opts.scriptUser } : opts.scriptUser;
  const user = spec.user ?? fallback?.user;
  const group = spec.user !== undefined ? spec.group : (spec.group ?? fallback?.group);
  const timeoutMs = Math.max(1, Math.round(check.miscTimeout * 1000));

  return async (target, signal) => {
    const who = opts.vsLabel === undefined ? target.label : `${target.label} VS ${opts.vsLabel}`;
    const line = (text: string): string => `Misc check for [${who}] by [${file}] ${text}.`;
    const failure = (kind: ProbeFailure, text: string): ProbeResult => ({
      ok: false,
      failure: kind,
      message: line(text),
    });

    let ids: UserIds | undefined;
    if (user !== undefined) {
      const found = await lookupUser(user, group);
      if (!found.ok) return failure('error', `failed (${found.reason})`);
      ids = found.ids;
    }
    if (signal.aborted) return failure('timeout', 'timed out');

    return new Promise<ProbeResult>((resolve) => {
      let state: RunState = 'running';
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const child = spawn(file, args, {
        detached: true, // setsid(): the script leads its own process group, killed as a whole
        stdio: 'ignore',
        env: opts.env ?? process.env,
        ...(ids === undefined ? {} : { uid: ids.uid, gid: ids.gid }),
      });
      const finish = (result: ProbeResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const escalate = (): void => {
        const pid = child.pid;
        if (pid === undefined) return;
        if (state === 'running') {
          state = 'terminating';
          killGroup(pid, 'SIGTERM');
        } else {
          state = 'killing';
          killGroup(pid, 'SIGKILL');
        }
        timer = setTimeout(escalate, MISC_KILL_GRACE_MS);
      };
      function onAbort(): void {
        if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
        finish(failure('timeout', 'timed out'));
      }
      child.once('error', (err: NodeJS.ErrnoException) => {
        finish(failure('error', `failed (exec error ${err.code ?? err.message})`));
      });
      child.once('exit', (code, sig) => {
        const pid = child.pid;
        if (code !== null) {
          if (code === 0) {
            const restore = check.miscDynamic ? opts.realServerWeight : undefined;
            finish({
              ok: true,
              message: line('succeeded'),
              ...(restore === undefined ? {} : { weight: restore }),
            });
          } else if (check.miscDynamic && code >= 2) {
            finish({ ok: true, weight: code - 2, message: line('succeeded') });
          } else {
            finish(failure('error', `failed (exited with status ${code})`));
          }
          return;
        }
        // Killed: make sure whatever the script forked goes too (keepalived does kill(-pid)).
        if (pid !== undefined) killGroup(pid, 'SIGKILL');
        const ours =
          (state === 'terminating' && sig === 'SIGTERM') ||
          (state === 'killing' && (sig === 'SIGTERM' || sig === 'SIGKILL'));
        if (ours) finish(failure('timeout', 'timed out'));
        else {
          const n = sig === null ? 0 : ((constants.signals[sig] as number | undefined) ?? 0);
          finish(failure('error', `failed (due to signal ${n})`));
        }
      });
      timer = setTimeout(escalate, timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  };
}
