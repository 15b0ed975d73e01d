// bench/checkers: 10,000 real servers with TCP_CHECK at delay_loop 1 against local listeners (a
// separate process), run by the real checker subsystem with the real TCP probe and the real
// table. Reports checks/s, schedule lateness p99 (how late attempts start against their
// schedule), event-loop delay p99 and CPU. Targets (issue 5): lateness p99 < 100 ms, event-loop
// p99 < 20 ms. Usage: [BENCH_CHECK_WORKERS=N] npm run bench:checkers [-- SERVERS SECONDS]; N = 0
// runs the checkers on the main thread, the default is the daemon's (defaultCheckWorkers). The
// event-loop delay is the main thread's: what the proxy data plane would feel.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { CheckManager, defaultCheckWorkers } from '../src/check/index.js';
import { probeFactory } from '../src/check/probes.js';
import { compileConfig, memoryFs } from '../src/config/index.js';
import { poolWriter } from '../src/daemon/pool-writer.js';
import { IpvsTable, schedulerFactory, applyPlan, diffConfig } from '../src/ipvs/index.js';
import { systemClock } from '../src/lib/clock.js';
import { createLogger } from '../src/lib/log.js';

const [servers = 10_000, seconds = 20] = process.argv.slice(2).map(Number);
const envWorkers = process.env.BENCH_CHECK_WORKERS;
const workers =
  envWorkers === undefined || envWorkers === '' ? defaultCheckWorkers() : Number(envWorkers);
const farmPath = fileURLToPath(new URL('./checkers/farm.js', import.meta.url));
const farm = spawn(process.execPath, [farmPath, String(servers)], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const first = await new Promise<string>((resolve) =>
  createInterface({ input: farm.stdout }).once('line', resolve),
);
const listeners = JSON.parse(first) as { address: string; port: number }[];

const perVs = 100;
const parts: string[] = [];
for (let v = 0; v * perVs < listeners.length; v++) {
  parts.push(
    `virtual_server 10.70.${Math.floor(v / 250)}.${v % 250} 80 {\n  delay_loop 1\n  lb_algo rr\n  protocol TCP`,
  );
  for (const l of listeners.slice(v * perVs, (v + 1) * perVs)) {
    parts.push(
      `  real_server ${l.address} ${l.port} {\n    TCP_CHECK {\n      connect_timeout 3\n    }\n  }`,
    );
  }
  parts.push('}');
}
const compiled = compileConfig('/bench.conf', {
  fs: memoryFs({ '/bench.conf': parts.join('\n') }),
});
if (!compiled.ok) throw new Error('bench config does not compile');
const config = compiled.config;

let logged = 0;
const log = createLogger({
  level: 'info',
  write: () => {
    logged++;
  },
});
const table = new IpvsTable({ now: () => performance.now(), schedulers: schedulerFactory });
applyPlan(table, diffConfig(undefined, config), { dests: false });
const manager = new CheckManager({
  clock: systemClock,
  random: Math.random,
  log,
  probes: probeFactory,
  writer: poolWriter(table, () => config, log),
  runScript: () => undefined,
  workers,
});

const loop = monitorEventLoopDelay({ resolution: 1 });
manager.load(config);
// Warm-up: the first runs are spread over the warmup (= delay_loop) window.
await new Promise((r) => setTimeout(r, 3000));
const before = manager.timing().attempts;
manager.resetTiming();
const cpu0 = process.cpuUsage();
loop.enable();
const t0 = performance.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
loop.disable();
const elapsed = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const timing = manager.timing();
const workerMax = manager.workerLoopMax().sort((a, b) => a - b);
manager.stop();
farm.stdin.end();

const late = timing.lateMs.sort((a, b) => a - b);
const pct = (xs: number[], p: number): number =>
  xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? 0;
const down = manager.status().reduce((n, v) => n + v.rs.filter((r) => !r.alive).length, 0);
const checksPerS = (timing.attempts - before) / elapsed;
const loopP99 = loop.percentile(99) / 1e6;
const lateP99 = pct(late, 0.99);
console.log(
  `real servers: ${listeners.length} with TCP_CHECK, delay_loop 1, over ${elapsed.toFixed(1)} s`,
);
console.log(`mode: ${workers > 0 ? `${workers} checker worker thread(s)` : 'in-thread'}`);
console.log(`checks/s: ${Math.round(checksPerS)} (ideal ${listeners.length})`);
console.log(
  `schedule lateness: p50 ${pct(late, 0.5).toFixed(1)} ms, p99 ${lateP99.toFixed(1)} ms, max ${(late.at(-1) ?? 0).toFixed(1)} ms`,
);
console.log(
  `event-loop delay: p50 ${(loop.percentile(50) / 1e6).toFixed(1)} ms, p99 ${loopP99.toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms`,
);
if (workerMax.length > 0) {
  console.log(
    `worker event loops, longest delay per second: median ${pct(workerMax, 0.5).toFixed(1)} ms, max ${(workerMax.at(-1) ?? 0).toFixed(1)} ms`,
  );
}
console.log(
  `CPU (all threads): ${(((cpu.user + cpu.system) / 1e6 / elapsed) * 100).toFixed(0)}% of one core (user ${(cpu.user / 1e6).toFixed(1)} s, system ${(cpu.system / 1e6).toFixed(1)} s)`,
);
console.log(`servers marked down during the run: ${down}; log records: ${logged}`);
console.log(
  `targets: lateness p99 < 100 ms: ${lateP99 < 100 ? 'PASS' : 'FAIL'}; event-loop p99 < 20 ms: ${loopP99 < 20 ? 'PASS' : 'FAIL'}`,
);
process.exit(0);
