// Runs the real tandem daemon (the built binary) on a configuration written to a temp dir and
// reads its NDJSON log records: tests wait on records, never on log text or sleeps.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { TANDEM } from './paths.js';

export type LogRecord = Record<string, unknown> & { msg: string; level: number };

export interface RunningTandem {
  readonly proc: ChildProcess;
  readonly records: LogRecord[];
  readonly stderr: () => string;
  readonly confPath: string;
  waitFor(pred: (r: LogRecord) => boolean, timeoutMs?: number): Promise<LogRecord>;
  /** SIGUSR1, then the status file the daemon wrote. */
  status(): Promise<Record<string, unknown>>;
  /** Rewrite the configuration and send SIGHUP; resolves on the 'reloaded' record. */
  reload(conf: string): Promise<LogRecord>;
  stop(): Promise<number | null>;
}

/** Which halves run: `check` is keepalived's -C (the default here), `vrrp` its -P, `all` both. */
export type Halves = 'check' | 'vrrp' | 'all';

export function startTandem(
  conf: string,
  args: readonly string[] = [],
  halves: Halves = 'check',
): RunningTandem {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-test-'));
  const confPath = join(dir, 'keepalived.conf');
  writeFileSync(confPath, conf);
  const flags = halves === 'check' ? ['-C'] : halves === 'vrrp' ? ['-P'] : [];
  // Tests run many daemons at once: each gets its own control socket and no admin listener
  // unless the test asks for one.
  if (!args.includes('--control')) flags.push('--control', join(dir, 'control.sock'));
  if (!args.includes('--admin')) flags.push('--admin', 'off');
  const proc = spawn(
    process.execPath,
    [TANDEM, '-n', '-l', ...flags, '-f', confPath, '--dataplane', 'proxy', ...args],
    // TMPDIR: where SIGUSR1 writes tandem.data, private to this run.
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: dir } },
  );
  const records: LogRecord[] = [];
  const waiters = new Set<() => void>();
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  createInterface({ input: proc.stdout }).on('line', (line) => {
    try {
      records.push(JSON.parse(line) as LogRecord);
    } catch {
      records.push({ msg: line, level: 0 });
    }
    for (const w of [...waiters]) w();
  });
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => resolve(code)),
  );
  const waitFor = (pred: (r: LogRecord) => boolean, timeoutMs = 5000): Promise<LogRecord> =>
    new Promise((resolve, reject) => {
      let seen = 0;
      const check = (): void => {
        for (; seen < records.length; seen++) {
          const r = records[seen]!;
          if (pred(r)) {
            cleanup();
            resolve(r);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `timed out waiting for a log record; stderr: ${err}; records: ${JSON.stringify(records)}`,
          ),
        );
      }, timeoutMs);
      const onExit = (): void => {
        cleanup();
        reject(new Error(`tandem exited; stderr: ${err}`));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
        proc.off('exit', onExit);
      };
      waiters.add(check);
      proc.once('exit', onExit);
      check();
    });
  const running: RunningTandem = {
    proc,
    records,
    stderr: () => err,
    confPath,
    waitFor,
    status: async () => {
      const from = records.length;
      proc.kill('SIGUSR1');
      const r = await waitFor((x) => records.indexOf(x) >= from && x.msg === 'status written');
      return JSON.parse(readFileSync(String(r.path), 'utf8')) as Record<string, unknown>;
    },
    reload: async (text) => {
      writeFileSync(confPath, text);
      const from = records.length;
      proc.kill('SIGHUP');
      return waitFor(
        (r) =>
          records.indexOf(r) >= from && (r.msg === 'reloaded' || r.msg.startsWith('reload failed')),
      );
    },
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const code = await exited;
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
  return running;
}

/** Wait until every TCP/UDP listener of the configuration logged 'listening'. */
export async function startTandemListening(
  conf: string,
  listeners: number,
  args: readonly string[] = [],
): Promise<RunningTandem> {
  const t = startTandem(conf, args);
  try {
    for (let i = 1; i <= listeners; i++) {
      await t.waitFor(() => t.records.filter((r) => r.msg === 'listening').length >= i);
    }
  } catch (e) {
    await t.stop();
    throw e;
  }
  return t;
}
