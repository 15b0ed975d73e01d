// bench/failover: how long clients of a VIP see no answer when the master director fails, and
// how regular the master's adverts are. Two directors and a client on a namespace LAN (root);
// each director runs a VRRP speaker (keepalived now, tandem once registered in DIRECTORS) and a
// tiny HTTP server naming itself; the client requests VIP:8080 every 10 ms.
// Usage: npm run bench:failover [-- --runs 3 --pair keepalived/keepalived
//        --scenarios v2-1s-crash,v2-1s-stop,v3-100ms-crash,v3-100ms-stop --jitter-s 10
//        --json out.json]; --jitter-s 0 skips the jitter capture. Failure modes: scenario.ts.

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createLan } from '../test/helpers/lan.js';
import { startHttpEcho } from '../test/helpers/lan-http.js';
import { stopChild, type Child } from '../test/helpers/processes.js';
import { haveTool } from '../test/helpers/tools.js';
import { DIRECTORS, type Director, type DirectorFactory } from './failover/director.js';
import { captureAdverts, jitterStats } from './failover/jitter.js';
import {
  gapTable,
  jitterTable,
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
    pair: { type: 'string', default: 'keepalived/keepalived' },
    scenarios: { type: 'string', default: DEFAULT_SCENARIOS },
    'jitter-s': { type: 'string', default: '10' },
    json: { type: 'string' },
  },
  strict: true,
});
const runs = Number(values.runs);
const jitterS = Number(values['jitter-s']);
const fail = (msg: string): never => {
  console.error(msg);
  process.exit(2);
};
if (!Number.isInteger(runs) || runs < 1 || runs > 20) fail('--runs must be 1..20');
if (!Number.isFinite(jitterS) || jitterS < 0 || jitterS > 120) fail('--jitter-s must be 0..120');
const lookup = (name: string): DirectorFactory =>
  DIRECTORS[name] ?? fail(`unknown director ${name}; known: ${Object.keys(DIRECTORS).join(', ')}`);
const [masterName = '', backupName = ''] = values.pair.split('/');
const pair = { master: lookup(masterName), backup: lookup(backupName) };
const chosen = values.scenarios
  .split(',')
  .filter((n) => n.trim() !== '')
  .map(
    (n) =>
      SCENARIOS.find((s) => s.name === n.trim()) ??
      fail(`unknown scenario ${n}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`),
  );
if (process.getuid?.() !== 0) fail('bench:failover needs root (network namespaces, raw sockets)');
for (const tool of ['ip', 'keepalived', 'tcpdump']) {
  if (!haveTool(tool)) fail(`bench:failover needs ${tool}`);
}

const lan = createLan(undefined, { hosts: ['d1', 'd2', 'client'] });
const servers: Child[] = [];
const gapResults: ScenarioResult[] = [];
const jitterResults: JitterResult[] = [];
try {
  for (const h of ['d1', 'd2']) servers.push(await startHttpEcho(lan, h));
  for (const s of chosen) {
    const results: RunResult[] = [];
    let error: string | undefined;
    for (let i = 0; i < runs && error === undefined; i++) {
      try {
        const r = await runOnce(lan, pair, s);
        results.push(r);
        console.log(
          `${s.name} run ${i + 1}: gap ${r.gapMs.toFixed(0)} ms, takeover ${r.takeoverMs} ms, ` +
            `${r.failures} failed requests`,
        );
      } catch (err) {
        error = (err as Error).message;
        console.log(`${s.name} run ${i + 1} failed: ${error}`);
      }
    }
    gapResults.push({
      scenario: s.name,
      pair: values.pair,
      runs: results,
      ...(error === undefined ? {} : { error }),
    });
  }
  if (jitterS > 0) {
    for (const tm of TIMINGS) {
      const stats = await measureJitter(tm.version, tm.advertInt);
      jitterResults.push({
        scenario: tm.label,
        impl: masterName,
        nominalMs: tm.advertInt * 1000,
        stats,
      });
    }
  }
} finally {
  for (const s of servers) await stopChild(s);
  lan.cleanup();
}

if (gapResults.length > 0) {
  console.log('\nclient-visible gap (longest time without a successful response) and takeover');
  console.log(gapTable(gapResults));
}
if (jitterResults.length > 0) {
  console.log(`\nmaster advert interval deviation (tcpdump on the client, ${jitterS} s, idle)`);
  console.log(jitterTable(jitterResults));
}
if (values.json !== undefined) {
  writeFileSync(values.json, JSON.stringify({ gaps: gapResults, jitter: jitterResults }, null, 2));
}

/** Master d1 and backup d2 in steady state; the client captures d1's adverts for jitterS. */
async function measureJitter(version: 2 | 3, advertInt: number) {
  const vips = [`${lan.address(100)}/24`];
  const auth = version === 2 ? { authPass: 'tandem' } : {};
  const common = { vrid: 51, advertInt, version, vips, ...auth };
  const running: Director[] = [];
  try {
    const d1 = await pair.master(lan, 'd1', { ...common, state: 'MASTER', priority: 150 });
    running.push(d1);
    await d1.waitForState('MASTER', 6000);
    const d2 = await pair.backup(lan, 'd2', { ...common, state: 'BACKUP', priority: 100 });
    running.push(d2);
    await d2.waitForState('BACKUP', 6000);
    const adverts = await captureAdverts(lan, 'client', jitterS * 1000);
    return jitterStats(adverts, advertInt * 1000, { src: lan.host('d1').ip, vrid: 51 });
  } finally {
    for (const d of running) await d.stop();
  }
}
