// One failover measurement: d1 (priority 150) masters the VIP, d2 (100) backs it up, the client
// probes VIP:8080 every 10 ms; then d1 fails and we record how long the client saw no answer
// (the gap) and when d2's speaker said MASTER (takeover). Failure modes:
//   crash — SIGKILL and d1's cable pulled at once: a dead machine (no priority 0, no ARP replies);
//   kill  — SIGKILL only: d1 keeps the VIP and keeps answering until d2's GARP moves the client;
//   stop  — orderly stop: priority 0, so d2 waits only Skew_Time (keepalived.md §2.3).

import type { Lan } from '../../test/helpers/lan.js';
import type { Director, DirectorFactory, DirectorParams } from './director.js';
import { Probe, longestGap } from './probe.js';

export const FAILURES = ['crash', 'kill', 'stop'] as const;
export type Failure = (typeof FAILURES)[number];

export interface Scenario {
  readonly name: string;
  readonly version: 2 | 3;
  readonly advertInt: number;
  readonly failure: Failure;
}

export interface RunResult {
  /** Longest time without a successful response, ms. */
  readonly gapMs: number;
  /** From the failure to d2's MASTER log line, ms. */
  readonly takeoverMs: number;
  /** Failed probe requests inside the gap. */
  readonly failures: number;
}

export interface Pair {
  readonly master: DirectorFactory;
  readonly backup: DirectorFactory;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Master_Down_Interval (3 adverts + skew ≤ 1 advert) plus slack: the longest wait we accept. */
function takeoverBudgetMs(s: Scenario): number {
  const advertMs = s.advertInt * 1000;
  return 4 * advertMs + (s.version === 2 ? 1000 : 0) + 2000;
}

export async function runOnce(lan: Lan, pair: Pair, s: Scenario): Promise<RunResult> {
  const vip = lan.address(100);
  const base = (state: 'MASTER' | 'BACKUP', priority: number): DirectorParams => ({
    state,
    vrid: 51,
    priority,
    advertInt: s.advertInt,
    version: s.version,
    ...(s.version === 2 ? { authPass: 'tandem' } : {}),
    vips: [`${vip}/24`],
  });
  // A clean slate per run: no neighbour entry left from the previous run's master.
  lan.runSync('client', ['ip', 'neigh', 'flush', 'dev', 'eth0']);
  const budget = takeoverBudgetMs(s);
  const running: Director[] = [];
  let probe: Probe | undefined;
  try {
    const d1 = await pair.master(lan, 'd1', base('MASTER', 150));
    running.push(d1);
    await d1.waitForState('MASTER', budget);
    const d2 = await pair.backup(lan, 'd2', base('BACKUP', 100));
    running.push(d2);
    await d2.waitForState('BACKUP', budget);

    probe = Probe.start(lan, 'client', { target: vip, maxMs: budget + 10_000 });
    await probe.waitForOk('d1', 5, 3000);
    await sleep(200);

    const mark = d2.mark();
    const failedAt = Date.now();
    switch (s.failure) {
      case 'crash':
        lan.unplug('d1');
        await d1.kill();
        break;
      case 'kill':
        await d1.kill();
        break;
      case 'stop':
        await d1.stop();
        break;
    }
    running.splice(running.indexOf(d1), 1);
    const masterAt = await d2.waitForState('MASTER', budget, mark);
    await probe.waitForOk('d2', 10, budget, probe.samples.length);
    const gap = longestGap(await probe.stop());
    return { gapMs: gap.gapMs, takeoverMs: masterAt - failedAt, failures: gap.failures };
  } finally {
    await probe?.stop();
    for (const d of running) await d.stop();
    lan.plug('d1');
  }
}
