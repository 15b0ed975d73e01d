// One director of `tandem demo`: a real tandem daemon in its own process, as an operator would
// run it (`tandem -n -f demo.conf -i a --dataplane proxy …`). Its NDJSON log is kept as records
// (the demo and its smoke run wait on them, never on sleeps) and shown as short lines prefixed
// with the director's name.
//
// In the namespace form the daemon runs in its director's namespace (`ip netns exec`).
// The process gets its own process group, so the Ctrl-C that reaches the demo does not also
// reach the directors: a second stop signal makes tandem exit at once, and the demo wants them to
// stop cleanly (priority-0 advert, listeners closed). For the one case the demo cannot clean up
// after itself (SIGKILL), a parent-death signal (setpriv --pdeathsig, when installed) stops them.

import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { inNamespace } from './demo-netns.js';
import type { DemoDirector, DemoPlan } from './demo-plan.js';

export type DirectorRecord = Readonly<Record<string, unknown>> & {
  readonly msg: string;
  readonly level: number;
};

const TANDEM = fileURLToPath(new URL('./main.js', import.meta.url));
/** A director's established proxy connections get this long to finish at stop. */
const DRAIN_SECONDS = '1';
/** After SIGTERM, how long a director may take before it is killed. */
const STOP_GRACE_MS = 10_000;

/** Records that only repeat what the line before them said (the structured twin). */
const QUIET = new Set(['vrrp state changed', 'admin listener started', 'control socket listening']);

/**
 * Spawns argv in its own process group, stdout and stderr piped, tied to this process's life:
 * through `setpriv --pdeathsig TERM` when installed, so a SIGKILLed demo leaves nothing running.
 */
export function spawnTied(argv: readonly string[]): ChildProcessByStdio<null, Readable, Readable> {
  const setpriv = setprivPath();
  const full = setpriv === undefined ? [...argv] : [setpriv, '--pdeathsig', 'TERM', '--', ...argv];
  const [file = '', ...args] = full;
  return spawn(file, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
}

function setprivPath(): string | undefined {
  for (const p of ['/usr/bin/setpriv', '/bin/setpriv']) {
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

function clock(time: unknown): string {
  const d = typeof time === 'number' ? new Date(time) : new Date();
  return d.toTimeString().slice(0, 8);
}

/** One log record as the demo prints it, or undefined for the quiet ones. */
export function renderRecord(id: string, r: DirectorRecord): string | undefined {
  if (QUIET.has(r.msg)) return undefined;
  // -D's detail lines: VRRP's (setting VIPs, gratuitous ARPs) only, not every probe.
  if (r.level < 30 && r.subsys !== 'vrrp') return undefined;
  let text = r.msg;
  if (typeof r.address === 'string' && typeof r.port === 'number') {
    text += ` on ${r.address}:${r.port}`;
  } else if (typeof r.vs === 'string' && !text.includes('[')) {
    text += ` (${r.vs})`;
  }
  const level = r.level >= 50 ? 'error: ' : r.level >= 40 ? 'warning: ' : '';
  return `${clock(r.time)} ${id} | ${level}${text}`;
}

export interface DirectorEvents {
  /** A line for the terminal. */
  readonly print: (line: string) => void;
  /** The process ended; `expected` when the demo stopped it. */
  readonly exited: (code: number | null, signal: string | null, expected: boolean) => void;
}

export class DemoDirectorProcess {
  readonly spec: DemoDirector;
  /** Every record since the demo started, across restarts. */
  readonly records: DirectorRecord[] = [];
  readonly #plan: DemoPlan;
  readonly #events: DirectorEvents;
  readonly #waiters = new Set<() => void>();
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #stopping = false;

  constructor(plan: DemoPlan, spec: DemoDirector, events: DirectorEvents) {
    this.#plan = plan;
    this.spec = spec;
    this.#events = events;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  /** The VRRP state of the last `Entering … STATE` line since the process started. */
  get state(): string {
    if (this.#child === undefined) return 'stopped';
    for (let i = this.records.length - 1; i >= 0; i--) {
      const r = this.records[i];
      if (r?.msg === 'started') break;
      const m = /Entering (\w+) STATE/.exec(r?.msg ?? '');
      if (m?.[1] !== undefined) return m[1];
    }
    return 'starting';
  }

  /** The daemon's command line (what an operator would type, minus `node`). */
  argv(): string[] {
    const s = this.spec;
    return [
      TANDEM,
      '-n',
      '-f',
      this.#plan.configFile,
      '--config-id',
      s.id,
      '--dataplane',
      this.#plan.dataplane,
      '--control',
      s.control,
      '--admin',
      `${s.address}:${s.adminPort}`,
      '--shutdown-drain',
      DRAIN_SECONDS,
      // The namespace form shows VRRP's detail lines: setting VIPs, gratuitous ARPs.
      ...(this.#plan.form === 'netns' ? ['-D'] : []),
    ];
  }

  start(): number {
    if (this.#child !== undefined) return this.#child.pid ?? -1;
    const child = spawnTied(inNamespace(this.spec.ns, [process.execPath, ...this.argv()]));
    this.#child = child;
    this.#stopping = false;
    createInterface({ input: child.stdout }).on('line', (line) => this.#line(line));
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (line.trim() !== '') this.#events.print(`${clock(undefined)} ${this.spec.id} | ${line}`);
    });
    this.#exited = new Promise<void>((resolve) => {
      child.once('error', (err) => {
        this.#events.print(`${this.spec.id}: cannot start: ${err.message}`);
      });
      child.once('close', (code, signal) => {
        this.#child = undefined;
        this.#wake();
        this.#events.exited(code, signal, this.#stopping);
        resolve();
      });
    });
    return child.pid ?? -1;
  }

  #line(line: string): void {
    let r: DirectorRecord;
    try {
      r = JSON.parse(line) as DirectorRecord;
      if (typeof r.msg !== 'string') throw new Error('not a record');
    } catch {
      r = { msg: line, level: 30, time: Date.now() };
    }
    this.records.push(r);
    const text = renderRecord(this.spec.id, r);
    if (text !== undefined) this.#events.print(text);
    this.#wake();
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  /** Index of the next record, to wait only for what happens after an action. */
  mark(): number {
    return this.records.length;
  }

  /**
   * The first record from index `from` on that matches; rejects after timeoutMs, or once the
   * process is gone without it.
   */
  waitFor(
    match: (r: DirectorRecord) => boolean,
    timeoutMs: number,
    from = 0,
  ): Promise<DirectorRecord> {
    return new Promise((resolve, reject) => {
      let seen = from;
      const check = (): void => {
        for (; seen < this.records.length; seen++) {
          const r = this.records[seen];
          if (r !== undefined && match(r)) {
            done();
            resolve(r);
            return;
          }
        }
        if (this.#child === undefined) {
          done();
          reject(new Error(`director ${this.spec.id} is not running`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`director ${this.spec.id}: the awaited log line did not come`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** SIGTERM and wait for the exit (SIGKILL after a grace period). */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    this.#stopping = true;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.#exited;
    clearTimeout(timer);
  }

  /** For process.on('exit'): nothing asynchronous can run any more. */
  killNow(): void {
    this.#child?.kill('SIGKILL');
  }
}
