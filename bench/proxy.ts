// bench/proxy: tandem's userspace proxy data plane against HAProxy `mode tcp` and a naive Node
// pipe proxy, all balancing round robin to the same two nginx real servers, plus wrk straight
// to one nginx (direct) as the floor. Topology T1 of peers-and-benchmarks.md §4.2: LBs pinned
// to CPU 1, nginx, wrk and the clients to CPU 0. Runs are interleaved across targets so drift
// on a shared machine hits every LB alike.
// Usage: npm run bench:proxy [-- --only naive,haproxy]
// Env: BENCH_LBS, BENCH_RUNS (3), BENCH_DURATION (5 s), BENCH_FORCE=1, TANDEM_ARGS,
//      BENCH_IDLE_CONNS (10000), BENCH_LAT_RATE (2000 req/s), BENCH_HAPROXY_THREADS (1),
//      BENCH_HAPROXY_SPLICE=1 (option splice-auto)

import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startNginx, type Listener, type Nginx } from '../test/helpers/nginx.js';
import { findBinary, freePort, nofileHardLimit } from '../test/helpers/processes.js';
import { benchEnv, busyReason } from './proxy/env.js';
import { LB_NAMES, startLb, type Lb, type LbName } from './proxy/lbs.js';
import {
  measureIdle,
  measureRun,
  warmUp,
  type IdleResult,
  type Settings,
  type Target,
} from './proxy/measure.js';
import { ratios, table, targets, type TargetResult } from './proxy/report.js';

const LB_CPU = '1';
const LOAD_CPU = '0';
const VIPS: Record<LbName, string> = {
  tandem: '127.0.0.10',
  haproxy: '127.0.0.11',
  naive: '127.0.0.12',
};

const { values } = parseArgs({ options: { only: { type: 'string' } }, strict: true });
const only = (values.only ?? process.env.BENCH_LBS ?? LB_NAMES.join(','))
  .split(',')
  .map((s) => s.trim())
  .filter((s) => s !== '');
const unknown = only.filter((n) => !(LB_NAMES as readonly string[]).includes(n));
if (unknown.length > 0) {
  console.error(`unknown LB ${unknown.join(', ')}; choose from ${LB_NAMES.join(', ')}`);
  process.exit(2);
}
const envNum = (name: string, dflt: number): number => {
  const v = Number(process.env[name] ?? dflt);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};
const runs = envNum('BENCH_RUNS', 3);
// Each LB holds two fds per proxied connection, and the hard fd limit cannot be raised here
// without CAP_SYS_RESOURCE: cap the idle count so it fits.
const idleWanted = envNum('BENCH_IDLE_CONNS', 10_000);
const idleFits = Math.floor((nofileHardLimit() - 256) / 2);
const settings: Settings = {
  durationS: envNum('BENCH_DURATION', 5),
  loadCpus: LOAD_CPU,
  latencyRate: envNum('BENCH_LAT_RATE', 2000),
  latencyConns: 4,
  idleConns: Math.min(idleWanted, idleFits),
};
const tandemArgs = (process.env.TANDEM_ARGS ?? '').split(/\s+/).filter((s) => s !== '');
const haproxyThreads = envNum('BENCH_HAPROXY_THREADS', 1);
const haproxySplice = process.env.BENCH_HAPROXY_SPLICE === '1';

for (const bin of ['nginx', 'wrk', 'taskset', ...(only.includes('haproxy') ? ['haproxy'] : [])]) {
  if (findBinary(bin) === undefined) {
    console.error(`${bin} is not installed (apt-get install nginx-light haproxy wrk util-linux)`);
    process.exit(2);
  }
}
const busy = busyReason(1.5);
if (busy !== undefined && process.env.BENCH_FORCE !== '1') {
  console.error(busy);
  process.exit(3);
}
if (busy !== undefined) console.log(`BENCH_FORCE=1: measuring anyway; ${busy.split('\n')[0]!}`);

const env = benchEnv();
let nginx: Nginx | undefined;
const lbs: Lb[] = [];
const cleanup = async (): Promise<void> => {
  await Promise.allSettled(lbs.map((lb) => lb.stop()));
  lbs.length = 0;
  await nginx?.stop();
  nginx = undefined;
};
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => void cleanup().finally(() => process.exit(130)));
}

const results: TargetResult[] = [];
try {
  const servers: Listener[] = [];
  for (const address of ['127.0.0.2', '127.0.0.3'])
    servers.push({ address, port: await freePort(address) });
  nginx = await startNginx({ listeners: servers, cpus: LOAD_CPU, workerProcesses: 1 });

  const measured: Target[] = [{ name: 'direct', at: servers[0]! }];
  const unavailable: TargetResult[] = [];
  for (const name of only as LbName[]) {
    const vip = { address: VIPS[name], port: await freePort(VIPS[name]) };
    try {
      const lb = await startLb(name, {
        vip,
        servers,
        cpus: LB_CPU,
        tandemArgs,
        haproxyThreads,
        haproxySplice,
      });
      lbs.push(lb);
      measured.push({ name, at: vip, pid: lb.pid });
    } catch (err) {
      const why = (err as Error).message.split('\n').slice(0, 4).join(' | ');
      console.log(`${name}: not available (${why})`);
      unavailable.push({ name, runs: [], unavailable: why.slice(0, 160) });
    }
  }
  console.log(
    `targets: ${measured.map((t) => `${t.name}@${t.at.address}:${t.at.port}`).join(', ')}; ` +
      `${runs} runs × ${settings.durationS} s; LB on CPU ${LB_CPU}, load + nginx on CPU ${LOAD_CPU}`,
  );

  // Idle connections first, on fresh processes: after the load runs a garbage-collected
  // runtime's RSS shrinks while the connections are held, which hides their cost.
  const idles = new Map<string, IdleResult>();
  for (const t of measured) {
    if (t.pid === undefined) continue;
    const idle = await measureIdle(t, settings);
    idles.set(t.name, idle);
    console.log(`idle ${t.name}: ${idle.held} held, ${idle.kbPerConn.toFixed(1)} kB/conn`);
  }
  const warmS = Math.min(5, settings.durationS);
  for (const t of measured) await warmUp(t, settings, warmS);
  const byName = new Map(measured.map((t) => [t.name, [] as TargetResult['runs'][number][]]));
  for (let run = 1; run <= runs; run++) {
    for (const t of measured) {
      const figures = await measureRun(t, settings);
      byName.get(t.name)!.push(figures);
      console.log(
        `run ${run} ${t.name}: keep-alive ${Math.round(figures.keepAlive.requestsPerSec)} req/s, ` +
          `close ${Math.round(figures.close.requestsPerSec)} conn/s, ` +
          `1m ${(figures.mib.bytesPerSec / 2 ** 20).toFixed(0)} MiB/s, ` +
          `p99 ${Math.round(figures.latency.p99Us)} µs`,
      );
    }
  }
  for (const t of measured) {
    const idle = idles.get(t.name);
    results.push({
      name: t.name,
      runs: byName.get(t.name)!,
      ...(idle === undefined ? {} : { idle }),
    });
  }
  results.push(...unavailable);

  console.log(
    `\nenvironment: node ${env.node}, kernel ${env.kernel}, ${env.cpuCount} × ${env.cpus}`,
  );
  const load = env.loadavg.map((l) => l.toFixed(2)).join(' ');
  console.log(`  load at start ${load}${busy === undefined ? '' : ' (BUSY: figures are noisy)'}`);
  console.log(`  ${Object.values(env.versions).join('; ')}`);
  console.log(
    `  ${Object.entries(env.sysctl)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}, nofile hard ${env.nofileHard}`,
  );
  console.log(
    `  wrk -t1: keep-alive and close -c50 /empty, 1 MiB -c4 /1m; latency: ${settings.latencyRate} req/s ` +
      `over ${settings.latencyConns} keep-alive conns; idle: ${settings.idleConns} conns` +
      (settings.idleConns < idleWanted
        ? ` (wanted ${idleWanted}; the fd hard limit fits ${idleFits})`
        : ''),
  );
  if (tandemArgs.length > 0) console.log(`  TANDEM_ARGS: ${tandemArgs.join(' ')}`);
  console.log(
    `  haproxy: nbthread ${haproxyThreads}${haproxySplice ? ', option splice-auto' : ''}`,
  );
  console.log(`\n${table(results)}\n`);
  for (const line of ratios(results)) console.log(line);
  console.log('\ntargets (issue):');
  for (const line of targets(results)) console.log(`  ${line}`);

  const file = join(
    tmpdir(),
    `tandem-bench-proxy-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
  );
  const configs = Object.fromEntries(
    lbs.map((lb) => [lb.name, { command: lb.command, config: lb.config }]),
  );
  writeFileSync(file, JSON.stringify({ env, settings, runs, servers, configs, results }, null, 2));
  console.log(`\nraw results: ${file}`);
} finally {
  await cleanup();
}
