// bench/kernel: issue 9's comparison on the seed topology (test/helpers/seed-topology.ts), in one
// run: new connections/s and keep-alive requests/s from wrk in the client's namespace through
// tandem's nftables plane (DR and NAT), tandem's proxy, HAProxy `mode tcp`, hand-written
// nftables DR and DNAT rules, and straight to one real server (the ceiling), plus the director's
// CPU per 10,000 requests (bench/kernel/cpu.ts). Real servers are nginx. wrk and nginx share CPU
// 0, userspace balancers get CPU 1, and so does the director's receive processing (RPS on d1's
// interfaces), so a kernel plane's softirq work has the same spare CPU as a userspace balancer.
// Rows are interleaved run by run, and each is set up just before it is measured and taken down
// after, so only one balancer is ever in the path. Results and method: bench/kernel/README.md.
// Usage: npm run bench:kernel [-- --only direct,nft-dr,haproxy]
// Env: BENCH_RUNS (3), BENCH_DURATION (5 s), BENCH_WARM (2 s), BENCH_CONNS (50), BENCH_FORCE=1,
// BENCH_RPS (all: the director's receive processing on CPU 1 for every row; kernel: for the
// kernel rows only; off).

import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createSeedTopology, type SeedTopology } from '../test/helpers/seed-topology.js';
import { haveTool } from '../test/helpers/tools.js';
import { benchEnv, busyReason } from './proxy/env.js';
import { measureRow, type RowRun, type Settings } from './kernel/measure.js';
import { ratios, table, targets, type RowResult } from './kernel/report.js';
import { prepareBed, ROW_NAMES, ROW_TITLES, startRow, type RowName } from './kernel/rows.js';

const LB_CPUS = '1';
const LOAD_CPUS = '0';

const { values } = parseArgs({ options: { only: { type: 'string' } }, strict: true });
const fail = (msg: string, code = 2): never => {
  console.error(msg);
  process.exit(code);
};
const wanted = (values.only ?? ROW_NAMES.join(','))
  .split(',')
  .map((s) => s.trim())
  .filter((s) => s !== '');
const unknown = wanted.filter((n) => !(ROW_NAMES as readonly string[]).includes(n));
if (unknown.length > 0)
  fail(`unknown row ${unknown.join(', ')}; choose from ${ROW_NAMES.join(', ')}`);
// direct is every other row's CPU baseline: always measured.
const rows = ROW_NAMES.filter((n) => n === 'direct' || wanted.includes(n));
const envNum = (name: string, dflt: number, min = 1): number => {
  const v = Number(process.env[name] ?? dflt);
  if (!Number.isFinite(v) || v < min) fail(`${name} must be a number ≥ ${min}`);
  return v;
};
const runs = envNum('BENCH_RUNS', 3);
const RPS_MODES = ['all', 'kernel', 'off'] as const;
const rps = RPS_MODES.find((m) => m === (process.env.BENCH_RPS ?? 'all'));
if (rps === undefined) fail('BENCH_RPS must be all, kernel or off');
const settings: Settings = {
  durationS: envNum('BENCH_DURATION', 5),
  warmS: envNum('BENCH_WARM', 2, 0),
  connections: envNum('BENCH_CONNS', 50),
  loadCpus: LOAD_CPUS,
};
if (process.getuid?.() !== 0) fail('bench:kernel needs root (network namespaces, nftables)');
for (const tool of ['ip', 'nft', 'nginx', 'wrk', 'curl', 'taskset', 'unshare']) {
  if (!haveTool(tool)) fail(`bench:kernel needs ${tool}`);
}
if (rows.includes('haproxy') && !haveTool('haproxy')) fail('bench:kernel needs haproxy');
const busy = busyReason(1.5);
if (busy !== undefined && process.env.BENCH_FORCE !== '1') fail(busy, 3);
if (busy !== undefined) console.log(`BENCH_FORCE=1: measuring anyway; ${busy.split('\n')[0]!}`);

const env = benchEnv();
const topologies: SeedTopology[] = [];
const cleanup = async (): Promise<void> => {
  await Promise.allSettled(topologies.map((t) => t.cleanup()));
  topologies.length = 0;
};
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => void cleanup().finally(() => process.exit(130)));
}

const byName = new Map<RowName, (RowRun | undefined)[]>(rows.map((n) => [n, []]));
const unavailable = new Map<RowName, string>();
try {
  const dr = await createSeedTopology(undefined, { kind: 'DR', webCpus: LOAD_CPUS });
  topologies.push(dr);
  const nat = await createSeedTopology(undefined, { kind: 'NAT', webCpus: LOAD_CPUS });
  topologies.push(nat);
  const bed = { dr, nat, lbCpus: LB_CPUS, rps: rps ?? 'all' };
  prepareBed(bed);
  console.log(
    `rows: ${rows.join(', ')}; ${runs} runs × (${settings.warmS} s warm-up + keep-alive ` +
      `${settings.durationS} s + new connections ${settings.durationS} s); wrk -t1 ` +
      `-c${settings.connections} and nginx on CPU ${LOAD_CPUS}, userspace balancers and the ` +
      `director's receive processing (RPS, BENCH_RPS=${rps}) on CPU ${LB_CPUS}`,
  );
  for (let run = 1; run <= runs; run++) {
    for (const name of rows) {
      if (unavailable.has(name)) continue;
      let active;
      try {
        active = await startRow(name, bed);
      } catch (err) {
        const why = (err as Error).message.split('\n')[0]!.slice(0, 200);
        console.log(`${name}: not available (${why})`);
        unavailable.set(name, why);
        continue;
      }
      try {
        const figures = await measureRow(active, settings);
        byName.get(name)![run - 1] = figures;
        console.log(
          `run ${run} ${name}: keep-alive ${Math.round(figures.keepAlive.wrk.requestsPerSec)} req/s, ` +
            `new ${Math.round(figures.close.wrk.requestsPerSec)} conn/s, errors ` +
            `${figures.keepAlive.wrk.errors + figures.close.wrk.errors}`,
        );
      } catch (err) {
        console.log(`run ${run} ${name}: failed: ${(err as Error).message.split('\n')[0]!}`);
      } finally {
        await active.stop();
      }
    }
  }
} finally {
  await cleanup();
}

const results: RowResult[] = rows.map((name) => {
  const why = unavailable.get(name);
  return why === undefined
    ? { name, runs: byName.get(name)! }
    : { name, runs: [], unavailable: why };
});
console.log(`\nenvironment: node ${env.node}, kernel ${env.kernel}, ${env.cpuCount} × ${env.cpus}`);
const load = env.loadavg.map((l) => l.toFixed(2)).join(' ');
console.log(`  load at start ${load}${busy === undefined ? '' : ' (BUSY: figures are noisy)'}`);
console.log(`  ${Object.values(env.versions).join('; ')}`);
console.log('\nrows:');
for (const name of rows) console.log(`  ${name.padEnd(12)} ${ROW_TITLES[name]}`);
console.log(`\n${table(results)}\n`);
console.log(
  'ka = keep-alive, new = one connection per request; director ms/10k: CPU ms per 10,000 requests\n' +
    "  of the balancer process (haproxy, tandem-proxy) or, for kernel rows, the machine's\n" +
    "  system+irq+softirq per request minus the direct row's in the same run; machine+ ms/10k: all\n" +
    "  busy CPU per request minus direct's, every row (noisy: anything else running counts)\n",
);
for (const line of ratios(results)) console.log(line);
for (const name of ['tandem-dr', 'tandem-dr-hash', 'nft-dr'] as const) {
  if (!rows.includes(name)) continue;
  console.log(
    `\ntargets (issue 9) for ${name}${name === 'nft-dr' ? ' (reference, not tandem)' : ''}:`,
  );
  for (const line of targets(results, name)) console.log(`  ${line}`);
}
const file = join(
  tmpdir(),
  `tandem-bench-kernel-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
);
writeFileSync(file, JSON.stringify({ env, settings, runs, results }, null, 2));
console.log(`\nraw results: ${file}`);
