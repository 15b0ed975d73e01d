// bench/failover: how long clients of a VIP see no answer when the master director fails, and
// how regular the master's adverts are, for tandem and keepalived from one keepalived.conf. Two
// directors and a client on a namespace LAN (root); each director runs a VRRP speaker and a tiny
// HTTP server naming itself; the client requests VIP:8080 every 10 ms. Jitter: the master d1 also
// proxies VIP:80 to a keep-alive server on d2 (tandem: its own data plane; keepalived: tandem -C beside it),
// captured idle and while wrk saturates VIP:80 from the client. Results: bench/failover/README.md.
// Usage: npm run bench:failover [-- --runs 3 --pair tandem/tandem,keepalived/keepalived
//        --scenarios v2-1s-crash,v2-1s-stop,v3-100ms-crash,v3-100ms-stop --jitter-s 10
//        --wrk-c 64 --json out.json]; --jitter-s 0 skips the jitter capture. Failures: scenario.ts.

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createLan } from '../test/helpers/lan.js';
import { startHttpEcho } from '../test/helpers/lan-http.js';
import { stopChild, type Child } from '../test/helpers/processes.js';
import { haveTool } from '../test/helpers/tools.js';
import { DIRECTORS, type Director, type DirectorFactory } from './failover/director.js';
import { captureAdverts, jitterStats } from './failover/jitter.js';
import { runWrk, startKeepAliveServer, type WrkResult } from './failover/load.js';
import {
  gapRatios,
  gapTable,
  jitterTable,
  ratioTable,
  type JitterResult,
  type ScenarioResult,
} from './failover/report.js';
import { FAILURES, runOnce, type RunResult, type Scenario } from './failover/scenario.js';

const TIMINGS = [
  { label: 'v2-1s', version: 2, advertInt: 1 },
  { label: 'v3-100ms', version: 3, advertInt: 0.1 },
] as const;
const SCENARIOS: readonly Scenario[] = TIMINGS.flatMap((tm) =>
  FAILURES.map((failure) => ({
    name: `${tm.label}-${failure}`,
    version: tm.version,
    advertInt: tm.advertInt,
    failure,
  })),
);
const DEFAULT_SCENARIOS = 'v2-1s-crash,v2-1s-stop,v3-100ms-crash,v3-100ms-stop';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: process.env.BENCH_RUNS ?? '3' },
    pair: { type: 'string', default: 'tandem/tandem,keepalived/keepalived' },
    scenarios: { type: 'string', default: DEFAULT_SCENARIOS },
    'jitter-s': { type: 'string', default: '10' },
    'wrk-c': { type: 'string', default: '64' },
    json: { type: 'string' },
  },
  strict: true,
});
const runs = Number(values.runs);
const jitterS = Number(values['jitter-s']);
const wrkConns = Number(values['wrk-c']);
const fail = (msg: string): never => {
  console.error(msg);
  process.exit(2);
};
if (!Number.isInteger(runs) || runs < 1 || runs > 20) fail('--runs must be 1..20');
if (!Number.isFinite(jitterS) || jitterS < 0 || jitterS > 120) fail('--jitter-s must be 0..120');
if (!Number.isInteger(wrkConns) || wrkConns < 2 || wrkConns > 1000) fail('--wrk-c must be 2..1000');
const lookup = (name: string): DirectorFactory =>
  DIRECTORS[name] ?? fail(`unknown director ${name}; known: ${Object.keys(DIRECTORS).join(', ')}`);
const pairs = values.pair
  .split(',')
  .filter((p) => p.trim() !== '')
  .map((name) => {
    const [master = '', backup = ''] = name.trim().split('/');
    return {
      name: name.trim(),
      masterName: master,
      master: lookup(master),
      backup: lookup(backup),
    };
  });
if (pairs.length === 0) fail('--pair names no pair');
// Jitter is the master's: one row set per distinct master implementation.
const masters = [...new Set(pairs.map((p) => p.masterName))];
const chosen = values.scenarios
  .split(',')
  .filter((n) => n.trim() !== '')
  .map(
    (n) =>
      SCENARIOS.find((s) => s.name === n.trim()) ??
      fail(`unknown scenario ${n}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`),
  );
if (process.getuid?.() !== 0) fail('bench:failover needs root (network namespaces, raw sockets)');
for (const tool of ['ip', 'keepalived', 'tcpdump', ...(jitterS > 0 ? ['wrk'] : [])]) {
  if (!haveTool(tool)) fail(`bench:failover needs ${tool}`);
}

const lan = createLan(undefined, { hosts: ['d1', 'd2', 'client'] });
const servers: Child[] = [];
const gapResults: ScenarioResult[] = [];
const jitterResults: JitterResult[] = [];
try {
  for (const h of ['d1', 'd2']) servers.push(await startHttpEcho(lan, h));
  if (jitterS > 0) servers.push(await startKeepAliveServer(lan, 'd2', 8081));
  for (const s of chosen) {
    for (const pair of pairs) gapResults.push(await runScenario(s, pair));
  }
  if (jitterS > 0) {
    for (const impl of masters) {
      for (const tm of TIMINGS) jitterResults.push(...(await measureJitter(impl, tm)));
    }
  }
} finally {
  for (const s of servers) await stopChild(s);
  lan.cleanup();
}

if (gapResults.length > 0) {
  console.log('\nclient-visible gap (longest time without a successful response) and takeover');
  console.log(gapTable(gapResults));
  const ratios = gapRatios(gapResults);
  if (ratios.some((r) => Number.isFinite(r.median))) console.log(`\n${ratioTable(ratios)}`);
}
if (jitterResults.length > 0) {
  console.log(
    `\nmaster advert interval deviation, ms (tcpdump on the client, ${jitterS} s each; ` +
      `load: wrk -t2 -c${wrkConns} on VIP:80, proxied to a keep-alive server on d2)`,
  );
  console.log(jitterTable(jitterResults));
}
if (values.json !== undefined) {
  writeFileSync(values.json, JSON.stringify({ gaps: gapResults, jitter: jitterResults }, null, 2));
}

async function runScenario(s: Scenario, pair: (typeof pairs)[number]): Promise<ScenarioResult> {
  const results: RunResult[] = [];
  let error: string | undefined;
  for (let i = 0; i < runs && error === undefined; i++) {
    try {
      const r = await runOnce(lan, pair, s);
      results.push(r);
      console.log(
        `${s.name} ${pair.name} run ${i + 1}: gap ${r.gapMs.toFixed(0)} ms, ` +
          `takeover ${r.takeoverMs} ms, ${r.failures} failed requests`,
      );
    } catch (err) {
      error = (err as Error).message;
      console.log(`${s.name} ${pair.name} run ${i + 1} failed: ${error}`);
    }
  }
  return {
    scenario: s.name,
    pair: pair.name,
    runs: results,
    ...(error === undefined ? {} : { error }),
  };
}

/**
 * `impl` as master d1 (serving VIP:80 through the proxy data plane to d2's HTTP server) and as
 * backup d2, in steady state: the client captures d1's adverts for jitterS idle, then for jitterS
 * while wrk loads VIP:80 from the same client.
 */
async function measureJitter(impl: string, tm: (typeof TIMINGS)[number]): Promise<JitterResult[]> {
  const factory = lookup(impl);
  const vips = [`${lan.address(100)}/24`];
  const auth = tm.version === 2 ? { authPass: 'tandem' } : {};
  const common = { vrid: 51, advertInt: tm.advertInt, version: tm.version, vips, ...auth };
  const dataPlane = { port: 80, realServers: [`${lan.host('d2').ip} 8081`] };
  const nominalMs = tm.advertInt * 1000;
  const filter = { src: lan.host('d1').ip, vrid: 51 };
  const running: Director[] = [];
  try {
    const d1 = await factory(lan, 'd1', { ...common, state: 'MASTER', priority: 150, dataPlane });
    running.push(d1);
    await d1.waitForState('MASTER', 6000);
    const d2 = await factory(lan, 'd2', { ...common, state: 'BACKUP', priority: 100 });
    running.push(d2);
    await d2.waitForState('BACKUP', 6000);
    const idle = await captureAdverts(lan, 'client', jitterS * 1000);
    // wrk starts first and outlasts the capture, so every captured advert is under load.
    const wrk = runWrk(lan, 'client', `http://${lan.address(100)}:80/`, {
      threads: 2,
      connections: wrkConns,
      durationS: jitterS + 2,
    });
    await sleep(1000);
    const loaded = await captureAdverts(lan, 'client', jitterS * 1000);
    const w: WrkResult = await wrk;
    const load = `wrk ${w.requestsPerSec.toFixed(0)} req/s${w.errors > 0 ? `, ${w.errors} err` : ''}`;
    console.log(`jitter ${tm.label} ${impl}: ${load}, ${w.requests} requests in ${w.seconds} s`);
    return [
      {
        scenario: tm.label,
        impl,
        load: 'idle',
        nominalMs,
        stats: jitterStats(idle, nominalMs, filter),
      },
      { scenario: tm.label, impl, load, nominalMs, stats: jitterStats(loaded, nominalMs, filter) },
    ];
  } finally {
    for (const d of running) await d.stop();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
