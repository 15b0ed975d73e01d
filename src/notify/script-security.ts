// Script security as keepalived applies it (reference §1.3, §5.4). With enable_script_security a
// script is refused when its file, or any directory on its real path, could be changed by
// someone other than root or the user it runs as: owned by another user, group-writable by a
// non-root group, or world-writable (a world-writable directory with the sticky bit, like /tmp,
// is fine: nobody can replace another user's entry in it). Without enable_script_security,
// scripts that run as root draw keepalived's warning once. The default script user is
// `keepalived_script` when that user exists, else the daemon's own user (root), unless
// script_user says otherwise.

import { constants } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import type { Logger } from '../lib/log.js';

export type SecurityVerdict =
  | { readonly ok: true; readonly path: string }
  | {
      readonly ok: false;
      /** keepalived's line, e.g. `Unsafe permissions found for script '/x/y.sh'.` */
      readonly reason: string;
      /** What is wrong, e.g. `SECURITY VIOLATION - script /x/y.sh is writable by non-root user`. */
      readonly detail: string;
    };

/** The sticky bit (chmod(2)); node's fs.constants lacks it. */
const S_ISVTX = 0o1000;

export const DEFAULT_SCRIPT_USER = 'keepalived_script';

/** Who defaulted scripts run as: script_user, else keepalived_script if it exists, else us. */
export async function defaultScriptUser(
  scriptUser: { readonly user: string; readonly group?: string } | undefined,
  userExists: (name: string) => Promise<boolean>,
): Promise<{ readonly user: string; readonly group?: string } | undefined> {
  if (scriptUser !== undefined) return scriptUser;
  return (await userExists(DEFAULT_SCRIPT_USER)) ? { user: DEFAULT_SCRIPT_USER } : undefined;
}

/** argv[0] as a path: absolute or relative as given, else searched on PATH like execvp. */
async function locate(cmd: string, path: string): Promise<string | undefined> {
  if (cmd.includes('/')) return cmd;
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, cmd);
    try {
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

function unsafe(path: string, what: string): SecurityVerdict {
  return {
    ok: false,
    reason: `Unsafe permissions found for script '${path}'.`,
    detail: `SECURITY VIOLATION - script ${path} is writable by non-root user (${what})`,
  };
}

/**
 * Checks `cmd` (argv[0]) for a script that runs as `uid`: it must exist, be a regular
 * executable file, and nothing on its real path may be writable by another non-root user.
 */
export async function checkScript(
  cmd: string,
  uid: number,
  searchPath = process.env.PATH ?? '/usr/bin:/bin',
): Promise<SecurityVerdict> {
  const located = await locate(cmd, searchPath);
  if (located === undefined) {
    return { ok: false, reason: `Cannot find script ${cmd}.`, detail: `${cmd} not on PATH` };
  }
  let real: string;
  try {
    real = await realpath(located);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return { ok: false, reason: `Cannot find script ${cmd}.`, detail: `${located}: ${code}` };
  }
  const file = await stat(real);
  if (!file.isFile() || (file.mode & 0o111) === 0) {
    return {
      ok: false,
      reason: `WARNING - script '${real}' is not executable.`,
      detail: `${real} is not an executable regular file`,
    };
  }
  for (let p = real; ; p = dirname(p)) {
    const st = p === real ? file : await stat(p);
    const dir = st.isDirectory();
    const sticky = dir && (st.mode & S_ISVTX) !== 0;
    if (st.uid !== 0 && st.uid !== uid) return unsafe(real, `${p} is owned by uid ${st.uid}`);
    if ((st.mode & constants.S_IWGRP) !== 0 && st.gid !== 0 && !sticky)
      return unsafe(real, `${p} is writable by group ${st.gid}`);
    if ((st.mode & constants.S_IWOTH) !== 0 && !sticky)
      return unsafe(real, `${p} is writable by everyone`);
    if (p === dirname(p)) break;
  }
  return { ok: true, path: real };
}

/** Applies enable_script_security to each run; warns once when it is off and root runs one. */
export class ScriptSecurity {
  readonly #enabled: boolean;
  readonly #log: Logger;
  #warned = false;

  constructor(enabled: boolean, log: Logger) {
    this.#enabled = enabled;
    this.#log = log;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** Whether `cmd` may run as `uid` (checked on every run: permissions can change). */
  async admit(cmd: string, uid: number): Promise<SecurityVerdict> {
    if (!this.#enabled) {
      if (uid === 0 && !this.#warned) {
        this.#warned = true;
        this.#log.warn(
          {},
          'SECURITY VIOLATION - scripts are being executed but script_security not enabled.',
        );
      }
      return { ok: true, path: cmd };
    }
    return checkScript(cmd, uid);
  }
}
