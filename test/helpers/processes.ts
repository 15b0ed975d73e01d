// Child processes for integration tests and benches: spawn real servers (optionally pinned to
// CPUs and with a raised fd limit), wait for their ports with a deadline, read their memory from
// /proc, and stop them (and any workers they forked) without leaving orphans behind.

import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { accessSync, constants, readFileSync, readdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { delimiter, join } from 'node:path';

const OUTPUT_KEEP = 64 * 1024;

export interface SpawnOptions {
  /** CPU list for `taskset -c` (e.g. "1"); unpinned when absent. */
  readonly cpus?: string;
  /** Raise the child's open-file limit to this (or to the hard limit, whichever is lower). */
  readonly nofile?: number;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Run inside this network namespace (`ip netns exec`, which execs: the pid stays the program's). */
  readonly ns?: string;
}

export interface Child {
  readonly proc: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code (or the signal name) once the process has gone. */
  readonly exited: Promise<number | string>;
  /** True once the process has exited. */
  hasExited(): boolean;
  /** The last 64 kB of stdout and stderr, interleaved. */
  output(): string;
}

/** The absolute path of an executable found on PATH (plus the sbin folders), or undefined. */
export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** This process's hard RLIMIT_NOFILE (children cannot go above it without CAP_SYS_RESOURCE). */
export function nofileHardLimit(): number {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const hard = line?.trim().split(/\s+/)[4];
  return hard === undefined || hard === 'unlimited' ? 1_048_576 : Number(hard);
}

export function spawnChild(cmd: string, args: readonly string[], opts: SpawnOptions = {}): Child {
  let argv = [cmd, ...args];
  if (opts.nofile !== undefined) {
    // `ulimit -n` above the hard limit fails without CAP_SYS_RESOURCE: fall back to the hard one.
    const raise = `ulimit -n ${opts.nofile} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"`;
    argv = ['bash', '-c', raise, 'bash', ...argv];
  }
  if (opts.ns !== undefined) argv = ['ip', 'netns', 'exec', opts.ns, ...argv];
  if (opts.cpus !== undefined) argv = ['taskset', '-c', opts.cpus, ...argv];
  const [file = cmd, ...rest] = argv;
  const proc = spawn(file, rest, {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
    ...(opts.env === undefined ? {} : { env: opts.env }),
  });
  let out = '';
  const keep = (chunk: Buffer): void => {
    out = (out + chunk.toString('utf8')).slice(-OUTPUT_KEEP);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  let gone = false;
  const exited = new Promise<number | string>((resolve) => {
    proc.on('error', (err) => {
      gone = true;
      out += `\nspawn error: ${err.message}`;
      resolve('spawn-error');
    });
    proc.on('exit', (code, signal) => {
      gone = true;
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return {
    proc,
    pid: proc.pid ?? -1,
    exited,
    hasExited: () => gone,
    output: () => out,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One connect attempt from inside network namespace ns (bash's /dev/tcp, 0.5 s at most). */
function tryConnectIn(ns: string, address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const argv = ['netns', 'exec', ns, 'timeout', '0.5', 'bash', '-c', 'exec 3<>"/dev/tcp/$0/$1"'];
    const p = spawn('ip', [...argv, address, String(port)], { stdio: 'ignore' });
    p.once('error', () => resolve(false));
    p.once('exit', (code) => resolve(code === 0));
  });
}

function tryConnect(address: string, port: number, ns?: string): Promise<boolean> {
  if (ns !== undefined) return tryConnectIn(ns, address, port);
  return new Promise((resolve) => {
    const s = connect({ host: address, port });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/**
 * Polls until address:port accepts a TCP connection (from inside network namespace ns when
 * given). Fails after timeoutMs, or at once when the given child exits first; the error carries
 * the child's output so a bad config is readable.
 */
export async function waitForTcp(
  address: string,
  port: number,
  timeoutMs: number,
  child?: Child,
  ns?: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child?.hasExited() === true) {
      throw new Error(
        `process ${child.pid} exited before ${address}:${port} accepted:\n${child.output()}`,
      );
    }
    if (await tryConnect(address, port, ns)) return;
    if (Date.now() > deadline) {
      const tail = child === undefined ? '' : `\n${child.output()}`;
      throw new Error(`${address}:${port} did not accept within ${timeoutMs} ms${tail}`);
    }
    await sleep(50);
  }
}

/** A TCP port that was free on `address` a moment ago (for servers that cannot bind port 0). */
export function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen({ host: address, port: 0, exclusive: true }, () => {
      const a = srv.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A port free for both UDP and TCP on `address` (DNS servers bind both). */
export async function freeUdpPort(address: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createSocket('udp4');
      s.once('error', reject);
      s.bind(0, address, () => {
        const p = s.address().port;
        s.close(() => resolve(p));
      });
    });
    const tcpFree = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen({ host: address, port, exclusive: true }, () => srv.close(() => resolve(true)));
    });
    if (tcpFree) return port;
  }
  throw new Error(`no port free for both UDP and TCP on ${address}`);
}

/** Every live process whose ancestry leads to pid (not pid itself). */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // The command name may contain spaces and parentheses: fields resume after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift()!;
    for (const c of children.get(p) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

function vmRssKb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? 0 : Number(m[1]);
  } catch {
    return 0;
  }
}

/** VmRSS of pid in kB, plus that of all its descendants when asked (nginx workers, forks). */
export function rssKb(pid: number, withChildren = false): number {
  const pids = withChildren ? [pid, ...descendants(pid)] : [pid];
  return pids.reduce((sum, p) => sum + vmRssKb(p), 0);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * SIGTERM (or the given signal), then SIGKILL after graceMs. Descendants are listed first and
 * killed too if they outlive the parent, so a killed nginx master leaves no workers behind.
 */
export async function stopChild(
  child: Child,
  graceMs = 3000,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (child.hasExited() || child.pid < 0) return;
  const family = descendants(child.pid);
  child.proc.kill(signal);
  const timer = sleep(graceMs).then(() => 'timeout' as const);
  if ((await Promise.race([child.exited, timer])) === 'timeout') child.proc.kill('SIGKILL');
  await child.exited;
  const deadline = Date.now() + graceMs;
  for (const pid of family) {
    while (alive(pid) && Date.now() < deadline) await sleep(20);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
}
