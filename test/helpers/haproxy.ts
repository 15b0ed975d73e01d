// A real HAProxy in `mode tcp` as the reference Layer-4 proxy: the bench's baseline and a known
// good balancer for integration tests. Runs in the foreground (-db) from a temp dir; maxconn
// follows the fd limit it can get, since HAProxy refuses a maxconn it cannot back with fds.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findBinary,
  nofileHardLimit,
  spawnChild,
  stopChild,
  waitForTcp,
  type Child,
} from './processes.js';
import type { Listener } from './nginx.js';

export interface HaproxyOptions {
  readonly listen: Listener;
  readonly servers: readonly Listener[];
  /** Default 1. */
  readonly nbthread?: number;
  readonly balance?: 'roundrobin';
  /** `option splice-auto`: kernel splice for bulk transfers. */
  readonly splice?: boolean;
  /** Default: as high as the fd hard limit allows (two fds per proxied connection). */
  readonly maxconn?: number;
  /** `check inter 1s fall 3 rise 2` on each server (off by default: no checker traffic). */
  readonly check?: boolean;
  /** `taskset -c` CPU list. */
  readonly cpus?: string;
  /** Default 10 s. */
  readonly startTimeoutMs?: number;
  /** Run inside this network namespace. */
  readonly ns?: string;
}

export interface Haproxy {
  readonly pid: number;
  readonly dir: string;
  /** The generated haproxy.cfg, for the bench's record. */
  readonly config: string;
  stop(): Promise<void>;
}

/**
 * The largest maxconn the hard fd limit backs: 2 fds per connection plus listeners and logs,
 * and with splice also HAProxy's default maxpipes (maxconn / 4) at 2 fds per pipe.
 */
export function haproxyMaxconn(splice = false): number {
  return Math.max(100, Math.floor((nofileHardLimit() - 200) / (splice ? 2.5 : 2)));
}

function config(opts: HaproxyOptions): string {
  const maxconn = opts.maxconn ?? haproxyMaxconn(opts.splice === true);
  const check = opts.check === true ? ' check inter 1s fall 3 rise 2' : '';
  const servers = opts.servers.map(
    (s, i) => `  server rs${i + 1} ${s.address}:${s.port} maxconn ${maxconn}${check}`,
  );
  return `global
  nbthread ${opts.nbthread ?? 1}
  maxconn ${maxconn}
defaults
  mode tcp
  maxconn ${maxconn}
  timeout connect 5s
  timeout client 30s
  timeout server 30s
${opts.splice === true ? '  option splice-auto\n' : ''}listen lb
  bind ${opts.listen.address}:${opts.listen.port}
  balance ${opts.balance ?? 'roundrobin'}
${servers.join('\n')}
`;
}

export async function startHaproxy(opts: HaproxyOptions): Promise<Haproxy> {
  const bin = findBinary('haproxy');
  if (bin === undefined) throw new Error('haproxy is not installed (apt-get install haproxy)');
  const dir = mkdtempSync(join(tmpdir(), 'tandem-haproxy-'));
  const text = config(opts);
  let child: Child | undefined;
  try {
    const cfg = join(dir, 'haproxy.cfg');
    writeFileSync(cfg, text);
    child = spawnChild(bin, ['-db', '-f', cfg], {
      nofile: nofileHardLimit(),
      cwd: dir,
      ...(opts.cpus === undefined ? {} : { cpus: opts.cpus }),
      ...(opts.ns === undefined ? {} : { ns: opts.ns }),
    });
    const { address, port } = opts.listen;
    await waitForTcp(address, port, opts.startTimeoutMs ?? 10_000, child, opts.ns);
  } catch (err) {
    if (child !== undefined) await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`haproxy did not start: ${(err as Error).message}`, { cause: err });
  }
  const running = child;
  return {
    pid: running.pid,
    dir,
    config: text,
    stop: async () => {
      await stopChild(running);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
