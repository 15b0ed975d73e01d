// One tandem ↔ keepalived pair through election and a clean-stop handover, shared by the unicast
// and priority-0 interop tests: the higher node (150) is started first and becomes MASTER, the
// lower (100) joins as BACKUP and stays there, then the master stops (SIGTERM: a priority-0
// advert) and the backup takes the VIP after Skew_Time rather than Master_Down_Interval.

import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { VrrpInstanceParams } from './keepalived.js';
import type { LogLine } from './log-lines.js';
import { BACKUP, interopCluster, logged, MASTER, sleep } from './vrrp-interop.js';

interface Node {
  readonly lines: readonly LogLine[];
  mark(): number;
  waitForLog(re: RegExp, timeoutMs: number, from?: number): Promise<LogLine>;
  logText(): string;
  stop(): Promise<void>;
}

export interface HandoverCase {
  readonly version: 2 | 3;
  /** Which daemon starts as the master (priority 150, on d1); the other backs it up on d2. */
  readonly master: 'tandem' | 'keepalived';
  readonly unicast: boolean;
  readonly advertInt?: number; // 1
  /** An IPv6 VIP (VRRPv3 over ff02::12 from the link-local addresses); version must be 3. */
  readonly ipv6?: boolean;
}

export interface HandoverResult {
  /** From SIGTERM to the backup's "Entering MASTER STATE" line. */
  readonly takeoverMs: number;
  readonly backup: Node;
}

const PRIORITY_ZERO = /\(VI_1\) Backup received priority 0 advertisement/;

export async function handover(t: TestContext, c: HandoverCase): Promise<HandoverResult> {
  const cluster = await interopCluster(t, { ipv6: c.ipv6 === true });
  const { lan } = cluster;
  // Namespaces keep the ULA private to this LAN, so it need not differ between runs.
  const vip = c.ipv6 === true ? 'fd00:7a6e::100' : lan.address(100);
  const vipLine = c.ipv6 === true ? `${vip}/64` : `${vip}/24`;
  const advertInt = c.advertInt ?? 1;
  const inst = (host: 'd1' | 'd2', priority: number): VrrpInstanceParams => {
    const peer = host === 'd1' ? 'd2' : 'd1';
    return {
      state: 'BACKUP',
      vrid: 53,
      priority,
      advertInt,
      version: c.version,
      ...(c.version === 2 ? { authPass: 'tandem' } : {}),
      ...(c.unicast ? { unicastSrcIp: lan.host(host).ip, unicastPeers: [lan.host(peer).ip] } : {}),
      vips: [vipLine],
    };
  };
  const start = (who: 'tandem' | 'keepalived', host: 'd1' | 'd2', priority: number): Node =>
    cluster[who](host, inst(host, priority));

  const master = start(c.master, 'd1', 150);
  await master.waitForLog(MASTER, 8000);
  const backup = start(c.master === 'tandem' ? 'keepalived' : 'tandem', 'd2', 100);
  await backup.waitForLog(BACKUP, 5000);
  // The backup hears the master: it stays BACKUP well past its own Master_Down_Interval.
  await sleep(4 * advertInt * 1000 + 1000);
  assert.equal(logged(backup, MASTER), false, backup.logText());
  assert.equal(lan.hasAddress('d1', vip), true);
  assert.equal(lan.hasAddress('d2', vip), false);

  const mark = backup.mark();
  const stoppedAt = Date.now();
  await master.stop();
  const took = await backup.waitForLog(MASTER, 3 * advertInt * 1000 + 2000, mark);
  const takeoverMs = took.t - stoppedAt;
  // Priority 0 ⇒ Skew_Time, (256 − 100) / 256 of an interval, plus the stop itself.
  assert.ok(takeoverMs < 1500 * advertInt, `takeover after ${takeoverMs} ms`);
  await backup.waitForLog(PRIORITY_ZERO, 100, mark);
  assert.equal(lan.hasAddress('d1', vip), false, 'the stopped master released the VIP');
  assert.equal(lan.hasAddress('d2', vip), true);
  return { takeoverMs, backup };
}
