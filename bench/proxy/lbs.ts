// The load balancers the proxy bench compares, each started on its own VIP, pinned to the LB
// CPU of topology T1 and balancing round robin to the same real servers: tandem's proxy data
// plane (the system under test), HAProxy `mode tcp` (the reference) and the naive Node pipe
// proxy (the runtime's floor).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHaproxy } from '../../test/helpers/haproxy.js';
import type { Listener } from '../../test/helpers/nginx.js';
import {
  nofileHardLimit,
  spawnChild,
  stopChild,
  waitForTcp,
  type Child,
} from '../../test/helpers/processes.js';
import { TANDEM_BIN } from '../paths.js';

export const LB_NAMES = ['tandem', 'haproxy', 'naive'] as const;
export type LbName = (typeof LB_NAMES)[number];

export interface LbContext {
  readonly vip: Listener;
  readonly servers: readonly Listener[];
  readonly cpus: string;
  /** Extra daemon arguments for tandem (TANDEM_ARGS), e.g. ["--workers", "2"]. */
  readonly tandemArgs: readonly string[];
  readonly haproxyThreads: number;
  readonly haproxySplice: boolean;
}

export interface Lb {
  readonly name: LbName;
  readonly vip: Listener;
  readonly pid: number;
  /** The exact command and configuration, recorded next to the results. */
  readonly command: string;
  readonly config: string;
  stop(): Promise<void>;
}

const NAIVE = fileURLToPath(new URL('../naive-proxy.js', import.meta.url));
const START_TIMEOUT_MS = 15_000;

/** The keepalived.conf tandem runs: one TCP virtual_server, rr over the real servers, NAT. */
export function tandemConfig(vip: Listener, servers: readonly Listener[]): string {
  const rs = servers.map(
    (s) => `    real_server ${s.address} ${s.port} {\n        weight 1\n    }`,
  );
  return `virtual_server ${vip.address} ${vip.port} {
    delay_loop 6
    lb_algo rr
    lb_kind NAT
    protocol TCP
${rs.join('\n')}
}
`;
}

async function startProcess(
  name: LbName,
  ctx: LbContext,
  cmd: string,
  args: readonly string[],
  config: string,
  cleanup: () => void,
): Promise<Lb> {
  let child: Child | undefined;
  try {
    child = spawnChild(cmd, args, { cpus: ctx.cpus, nofile: nofileHardLimit() });
    await waitForTcp(ctx.vip.address, ctx.vip.port, START_TIMEOUT_MS, child);
  } catch (err) {
    if (child !== undefined) await stopChild(child);
    cleanup();
    throw err;
  }
  const running = child;
  return {
    name,
    vip: ctx.vip,
    pid: running.pid,
    command: [cmd, ...args].join(' '),
    config,
    stop: async () => {
      await stopChild(running);
      cleanup();
    },
  };
}

export async function startLb(name: LbName, ctx: LbContext): Promise<Lb> {
  switch (name) {
    case 'tandem': {
      const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-lb-'));
      const config = tandemConfig(ctx.vip, ctx.servers);
      const conf = join(dir, 'keepalived.conf');
      writeFileSync(conf, config);
      const args = [TANDEM_BIN, '-n', '-l', '-C', '-f', conf, '--dataplane', 'proxy'];
      return startProcess(name, ctx, process.execPath, [...args, ...ctx.tandemArgs], config, () =>
        rmSync(dir, { recursive: true, force: true }),
      );
    }
    case 'haproxy': {
      const h = await startHaproxy({
        listen: ctx.vip,
        servers: ctx.servers,
        nbthread: ctx.haproxyThreads,
        splice: ctx.haproxySplice,
        cpus: ctx.cpus,
      });
      return {
        name,
        vip: ctx.vip,
        pid: h.pid,
        command: `haproxy -db -f haproxy.cfg (pinned to CPU ${ctx.cpus})`,
        config: h.config,
        stop: () => h.stop(),
      };
    }
    case 'naive': {
      const args = [NAIVE, `${ctx.vip.address}:${ctx.vip.port}`];
      for (const s of ctx.servers) args.push(`${s.address}:${s.port}`);
      return startProcess(name, ctx, process.execPath, args, 'bench/naive-proxy.ts', () => {
        // nothing on disk
      });
    }
  }
}
