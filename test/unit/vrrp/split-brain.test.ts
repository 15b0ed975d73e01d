// SplitBrainDetector with a ManualClock and a scripted probe: when an episode starts and ends,
// what is logged (once per episode), the reports, the counters, and that failed, slow or stale
// probes change nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../../src/lib/clock.js';
import { createLogger, LEVELS, memorySink } from '../../../src/lib/log.js';
import type { ArpProbeRequest, ArpProbeResult } from '../../../src/sys/arp-probe.js';
import {
  SplitBrainDetector,
  type HeldVip,
  type SplitBrainOptions,
  type SplitBrainReport,
} from '../../../src/vrrp/split-brain.js';

const VIP: HeldVip = { instance: 'VI_1', ifname: 'eth0', vip: '10.0.0.100', source: '10.0.0.1' };
const OTHER = '02:00:00:00:00:02';
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A detector whose probe answers from `answer` (a result, or a promise the test controls). */
function harness(
  extra: Partial<SplitBrainOptions> = {},
  answer: (req: ArpProbeRequest) => ArpProbeResult | Promise<ArpProbeResult> = () => ({
    ok: true,
    macs: [],
  }),
) {
  const clock = new ManualClock(1000);
  const sink = memorySink();
  const reports: SplitBrainReport[] = [];
  const calls: ArpProbeRequest[] = [];
  let held: HeldVip[] = [VIP];
  let next = answer;
  const detector = new SplitBrainDetector({
    clock,
    logger: createLogger({ level: 'debug', write: sink.write, now: () => 0 }),
    held: () => held,
    probe: (req) => {
      calls.push(req);
      return Promise.resolve(next(req));
    },
    onReport: (r) => reports.push(r),
    ...extra,
  });
  detector.start();
  return {
    detector,
    clock,
    reports,
    calls,
    warnings: () => sink.records.filter((r) => r.level === LEVELS.warn).map((r) => r.msg),
    hold: (h: HeldVip[]) => (held = h),
    answer: (a: typeof answer) => (next = a),
    /** Advance one interval and let the probe's promise settle. */
    round: async (ms = 2000) => {
      clock.advance(ms);
      await flush();
    },
  };
}

const answered =
  (...macs: string[]) =>
  (): ArpProbeResult => ({ ok: true, macs });
const DETECTED =
  '(VI_1) split brain: VIP 10.0.0.100 is also answered by 02:00:00:00:00:02 — another director ' +
  'is MASTER too (is VRRP, IP protocol 112, blocked between the directors?)';
const OVER = '(VI_1) split brain over: only this director answers for 10.0.0.100';

describe('SplitBrainDetector', () => {
  test('probes each held IPv4 VIP every interval, from the source address, within a window', async () => {
    const h = harness();
    h.hold([VIP, { ...VIP, vip: 'fe80::100' }, { ...VIP, instance: 'VI_2', vip: '10.0.0.101' }]);
    await h.round(1999);
    assert.equal(h.calls.length, 0);
    await h.round(1);
    assert.deepEqual(h.calls, [
      { ifname: 'eth0', target: '10.0.0.100', source: '10.0.0.1', timeoutMs: 500 },
      { ifname: 'eth0', target: '10.0.0.101', source: '10.0.0.1', timeoutMs: 500 },
    ]);
    await h.round();
    assert.equal(h.detector.counters.probesSent, 4);
    assert.deepEqual(h.reports, []);
    assert.deepEqual(h.warnings(), []);
  });

  test('nothing is probed while this node holds no VIP', async () => {
    const h = harness();
    h.hold([]);
    for (let i = 0; i < 5; i++) await h.round();
    assert.equal(h.calls.length, 0);
  });

  test('two answered probes make an episode: one warning, one report', async () => {
    const h = harness({}, answered(OTHER));
    await h.round(); // t=3000, first answer
    assert.deepEqual(h.reports, []);
    await h.round(); // t=5000
    const detected = {
      state: 'detected',
      instance: 'VI_1',
      vip: '10.0.0.100',
      ifname: 'eth0',
      otherMacs: [OTHER],
      since: 3000,
    };
    assert.deepEqual(h.reports, [detected]);
    assert.deepEqual(h.warnings(), [DETECTED]);
    for (let i = 0; i < 5; i++) await h.round();
    assert.equal(h.warnings().length, 1);
    assert.equal(h.reports.length, 1);
    assert.deepEqual(h.detector.active(), [detected]);
    assert.deepEqual(h.detector.counters, {
      probesSent: 7,
      probeErrors: 0,
      episodes: 1,
      active: 1,
    });
  });

  test('a single answer (an old MASTER yet to see our advert) is not an episode', async () => {
    const h = harness({}, answered(OTHER));
    await h.round();
    h.answer(answered());
    await h.round();
    h.answer(answered(OTHER));
    await h.round();
    h.answer(answered());
    await h.round();
    assert.deepEqual(h.reports, []);
    assert.equal(h.detector.counters.episodes, 0);
  });

  test('detectAfter 1 reports at the first answer, listing every MAC', async () => {
    const h = harness({ detectAfter: 1 }, answered(OTHER, '02:00:00:00:00:03'));
    await h.round();
    assert.equal(h.reports[0]?.since, 3000);
    assert.deepEqual(h.reports[0]?.otherMacs, [OTHER, '02:00:00:00:00:03']);
    assert.match(h.warnings()[0] ?? '', /answered by 02:00:00:00:00:02, 02:00:00:00:00:03 — /);
  });

  test('the hint names the advert path of a UDP instance', async () => {
    const h = harness({ detectAfter: 1 }, answered(OTHER));
    h.hold([{ ...VIP, advertPath: 'VRRP over UDP port 11112' }]);
    await h.round();
    assert.match(
      h.warnings()[0] ?? '',
      /\(is VRRP over UDP port 11112, blocked between the directors\?\)$/,
    );
  });

  test('the episode ends after two silent probes, not one', async () => {
    const h = harness({}, answered(OTHER));
    await h.round();
    await h.round();
    h.answer(answered());
    await h.round(); // one lost reply
    h.answer(answered(OTHER));
    await h.round();
    h.answer(answered());
    await h.round();
    assert.equal(h.reports.length, 1);
    await h.round();
    assert.deepEqual(h.reports.at(-1), {
      state: 'cleared',
      why: 'answers',
      instance: 'VI_1',
      vip: '10.0.0.100',
      ifname: 'eth0',
      otherMacs: [OTHER],
      since: 3000,
    });
    assert.deepEqual(h.warnings(), [DETECTED, OVER]);
    assert.deepEqual(h.detector.counters, {
      probesSent: 6,
      probeErrors: 0,
      episodes: 1,
      active: 0,
    });
    // A second episode is a new one, with its own warning and start time.
    h.answer(answered(OTHER));
    await h.round();
    await h.round();
    assert.deepEqual(h.warnings(), [DETECTED, OVER, DETECTED]);
    assert.equal(h.reports.at(-1)?.since, 15000);
    assert.equal(h.detector.counters.episodes, 2);
  });

  test('letting the VIP go (BACKUP) ends the episode as released', async () => {
    const h = harness({}, answered(OTHER));
    await h.round();
    await h.round();
    h.hold([]);
    await h.round();
    assert.deepEqual(
      h.reports.map((r) => [r.state, r.why]),
      [
        ['detected', undefined],
        ['cleared', 'released'],
      ],
    );
    assert.equal(
      h.warnings()[1],
      '(VI_1) split brain over: this director no longer holds 10.0.0.100',
    );
    assert.equal(h.detector.counters.active, 0);
    assert.equal(h.calls.length, 2);
  });

  test('failed probes are counted, logged once per failure run, and change no state', async () => {
    const h = harness({}, answered(OTHER));
    await h.round();
    h.answer(() => ({ ok: false, code: 'EPERM', syscall: 'socket' }));
    await h.round();
    await h.round();
    assert.deepEqual(h.warnings(), ['(VI_1) split brain check cannot probe on eth0: socket EPERM']);
    h.answer(answered(OTHER));
    await h.round(); // the second answer in a row: failures in between do not reset it
    assert.equal(h.reports.length, 1);
    // A probe that rejects instead of returning a value is a failure too.
    h.answer(() => Promise.reject(Object.assign(new Error('boom'), { code: 'ENETDOWN' })));
    await h.round();
    assert.equal(
      h.warnings().at(-1),
      '(VI_1) split brain check cannot probe on eth0: probe ENETDOWN',
    );
    assert.equal(h.detector.counters.probeErrors, 3);
    assert.equal(h.detector.counters.active, 1);
  });

  test('a probe still on the wire is not started twice; stale results are dropped', async () => {
    let release: (r: ArpProbeResult) => void = () => undefined;
    const h = harness({}, () => new Promise((resolve) => (release = resolve)));
    await h.round();
    await h.round();
    assert.equal(h.calls.length, 1);
    release({ ok: true, macs: [OTHER] });
    await flush();
    await h.round();
    assert.equal(h.calls.length, 2);
    // Closed while the second probe is out: its answer comes too late to count.
    h.detector.close();
    release({ ok: true, macs: [OTHER] });
    await flush();
    await h.round();
    assert.equal(h.calls.length, 2);
    assert.deepEqual(h.reports, []);
  });

  test('the window stays below the interval', async () => {
    const h = harness({ intervalMs: 250, timeoutMs: 1000 });
    await h.round(250);
    assert.equal(h.calls[0]?.timeoutMs, 200);
  });
});
