import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  nextAdvertAt,
  advertIntToCs,
  masterDownIntervalMs,
  masterDownIntervalUs,
  minimalSkewMs,
  skewTimeMs,
  skewTimeUs,
} from '../../../src/vrrp/timers.js';

test('v2 Skew_Time is (256 − prio)/256 s, not scaled by advert_int, truncated to µs', () => {
  assert.equal(skewTimeUs(2, 100, 100), 609_375);
  assert.equal(skewTimeMs(2, 100, 100), 609.375);
  assert.equal(skewTimeMs(2, 90, 100), 648.437); // 648 437.5 µs, truncated as keepalived does
  assert.equal(skewTimeMs(2, 100, 500), 609.375); // advert_int 5: same skew
  assert.equal(skewTimeMs(2, 0, 100), 1000);
});

test('exact Master_Down_Interval for priorities 100 and 90: v2 advert_int 1, v3 advert_int 0.1', () => {
  assert.equal(masterDownIntervalMs(2, 100, 100), 3609.375);
  assert.equal(masterDownIntervalMs(2, 90, 100), 3648.437);
  assert.equal(masterDownIntervalUs(3, 100, 10), 360_937); // 300 ms + 60.9375 ms truncated
  assert.equal(masterDownIntervalMs(3, 100, 10), 360.937);
  assert.equal(masterDownIntervalMs(3, 90, 10), 364.843);
  assert.equal(skewTimeMs(3, 100, 10), 60.937);
  assert.equal(skewTimeMs(3, 90, 10), 64.843);
});

test('the worked examples of keepalived.md §2.3, to the millisecond', () => {
  const s = (ms: number): string => (ms / 1000).toFixed(3);
  assert.equal(s(skewTimeMs(2, 100, 100)), '0.609');
  assert.equal(s(masterDownIntervalMs(2, 100, 100)), '3.609');
  assert.equal(s(masterDownIntervalMs(2, 128, 100)), '3.500');
  assert.equal(s(masterDownIntervalMs(2, 254, 100)), '3.008');
  assert.equal(s(masterDownIntervalMs(2, 1, 100)), '3.996');
  assert.equal(s(masterDownIntervalMs(3, 100, 10)), '0.361');
});

test('v3 skew scales with Master_Adver_Interval; down_timer_adverts multiplies the interval', () => {
  assert.equal(skewTimeMs(3, 100, 100), 609.375);
  assert.equal(skewTimeMs(3, 100, 200), 1218.75);
  assert.equal(masterDownIntervalMs(3, 100, 200), 7218.75);
  assert.equal(masterDownIntervalMs(2, 100, 100, 5), 5609.375);
  assert.equal(masterDownIntervalMs(3, 100, 10, 1), 160.937);
});

test('minimal skew (priority 255) and advert_int conversion', () => {
  assert.equal(minimalSkewMs(2, 100), 3.906);
  assert.equal(minimalSkewMs(3, 10), 0.39);
  assert.equal(minimalSkewMs(3, 100), 3.906);
  assert.equal(advertIntToCs(1), 100);
  assert.equal(advertIntToCs(0.1), 10);
  assert.equal(advertIntToCs(0.07), 7);
  assert.equal(advertIntToCs(40.95), 4095);
});

test('nextAdvertAt keeps the ideal cadence, but never less than half an interval from now', () => {
  assert.equal(nextAdvertAt(1000, 1000, 100), 1100); // on time
  assert.equal(nextAdvertAt(1000, 1001.3, 100), 1100); // usual lateness is absorbed
  assert.equal(nextAdvertAt(1000, 1050, 100), 1100); // exactly half: still the ideal time
  assert.equal(nextAdvertAt(1000, 1050.5, 100), 1150.5); // later: re-armed from now
  assert.equal(nextAdvertAt(1000, 1400, 100), 1500); // a stalled loop never bursts
  // Over many ticks each ~1 ms late, the mean interval stays exact.
  let due = 0;
  for (let i = 0; i < 1000; i++) due = nextAdvertAt(due, due + 1, 100);
  assert.equal(due, 100_000);
});
