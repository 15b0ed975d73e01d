// Network namespaces for multi-host tests and benches: unique names per run, `ip` commands that
// fail loudly, and cleanup that happens even when a test file crashes. Every name starts with
// `tl<pid>x<random>-` so a later run can tell its own leftovers (dead pid) from a namespace of a
// test file running in parallel (live pid), and the sweeper never touches anything else.

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const NETNS_DIR = '/run/netns';
const NAME_RE = /^tl(\d+)x[0-9a-z]+-/;

/** A fresh name prefix for this run: `tl<pid>x<4 random base-36 chars>-`. */
export function runPrefix(): string {
  const rand = Math.floor(Math.random() * 36 ** 4)
    .toString(36)
    .padStart(4, '0');
  return `tl${process.pid}x${rand}-`;
}

/** Runs a command to completion; throws with its stderr when it fails. */
export function runSync(argv: readonly string[], input?: string): string {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('runSync: empty argv');
  const r = spawnSync(file, args, {
    encoding: 'utf8',
    timeout: 10_000,
    ...(input === undefined ? {} : { input }),
  });
  if (r.error !== undefined) throw new Error(`${argv.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(`${argv.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr.trim()}`);
  }
  return r.stdout;
}

/** `ip` with the given arguments (e.g. `['-n', ns, 'link', 'set', 'eth0', 'up']`). */
export function ip(args: readonly string[]): string {
  return runSync(['ip', ...args]);
}

/** The argv that runs `argv` inside namespace `ns`. */
export function inNs(ns: string, argv: readonly string[]): string[] {
  return ['ip', 'netns', 'exec', ns, ...argv];
}

export function addNamespace(ns: string): void {
  ip(['netns', 'add', ns]);
}

/**
 * Deletes a namespace after SIGKILLing every process still inside it: those are ours (keepalived,
 * servers, probes started in it), and a namespace with live processes would outlive its name.
 */
export function deleteNamespace(ns: string): void {
  let pids: number[];
  try {
    pids = ip(['netns', 'pids', ns])
      .split('\n')
      .filter((l) => /^\d+$/.test(l.trim()))
      .map(Number);
  } catch {
    return; // already gone
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
  try {
    ip(['netns', 'del', ns]);
  } catch {
    // deleted by a concurrent cleanup
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Deletes namespaces left by crashed runs: our prefix, and a creator pid that no longer exists.
 * Returns the names removed.
 */
export function sweepStaleNamespaces(): string[] {
  let names: string[];
  try {
    names = readdirSync(NETNS_DIR);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = NAME_RE.exec(name);
    if (m === null || alive(Number(m[1]))) continue;
    deleteNamespace(name);
    removed.push(name);
  }
  return removed;
}

// Cleanups that must run even if the test process dies early. `exit` handlers must be
// synchronous, which is why every teardown here uses spawnSync.
const pending = new Set<() => void>();
let hooked = false;

function runPending(): void {
  for (const fn of [...pending]) {
    pending.delete(fn);
    try {
      fn();
    } catch {
      // best effort: the sweeper of the next run catches what is left
    }
  }
}

function onSignal(sig: NodeJS.Signals): void {
  runPending();
  process.removeListener(sig, onSignal);
  process.kill(process.pid, sig); // die of the same signal as we would have without the hook
}

/** Registers a synchronous cleanup for process exit and SIGINT/SIGTERM; returns an unregister. */
export function onProcessExit(fn: () => void): () => void {
  if (!hooked) {
    hooked = true;
    process.on('exit', runPending);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  pending.add(fn);
  return () => pending.delete(fn);
}
