// The pid file (keepalived's /run/keepalived.pid): written at start, removed at a clean stop, and
// a guard against two daemons on one host: a file naming a live tandem process stops the second
// one at start. A file left by a crash (no such process, or a pid reused by something that is not
// tandem) is stale and replaced.

import { readFileSync, rmSync, writeFileSync } from 'node:fs';

/** The system instance's file: root, and the default configuration file (no -f). */
export const DEFAULT_PIDFILE = '/run/tandem.pid';

export type PidfileResult = { ok: true } | { ok: false; message: string };

/** Whether a pid is a running tandem: signal 0 reaches it and its command line names tandem. */
export function isLiveTandem(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'EPERM') return false;
  }
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.some((a) => /(^|\/)tandem$|daemon\/main\.js$/.test(a));
  } catch {
    return false; // gone between the two looks
  }
}

function readPid(path: string): number | undefined {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Refuse when the file names another live tandem; otherwise write our pid. */
export function claimPidfile(
  path: string,
  pid = process.pid,
  live: (pid: number) => boolean = isLiveTandem,
): PidfileResult {
  const other = readPid(path);
  if (other !== undefined && other !== pid && live(other)) {
    return { ok: false, message: `tandem is already running (pid ${other})` };
  }
  try {
    writeFileSync(path, `${pid}\n`, { mode: 0o644 });
  } catch (err) {
    return {
      ok: false,
      message: `cannot write pid file ${path}: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  return { ok: true };
}

/** Remove the file if it still names us (a second daemon may have replaced a stale one). */
export function releasePidfile(path: string, pid = process.pid): void {
  if (readPid(path) === pid) rmSync(path, { force: true });
}
