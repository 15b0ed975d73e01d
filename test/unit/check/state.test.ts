import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  detectionBounds,
  initialState,
  step,
  type CheckerState,
} from '../../../src/check/state.js';

const T = { delayLoop: 6, delayBeforeRetry: 3, retry: 3 };

function run(s: CheckerState, outcomes: readonly boolean[], t = T) {
  const out: {
    up: boolean;
    nextMs: number;
    transition: string | undefined;
    log: string | undefined;
  }[] = [];
  for (const ok of outcomes) {
    const r = step(s, ok, t);
    s = r.state;
    out.push({ up: s.up, nextMs: r.nextMs, transition: r.transition, log: r.log });
  }
  return out;
}

test('without alpha the first failure after start-up is final (retry preset; keepalived #1191)', () => {
  const [first] = run(initialState(false, 3), [false]);
  assert.deepEqual(first, { up: false, nextMs: 6000, transition: 'down', log: 'failed' });
});

test('a healthy checker retries `retry` times, delay_before_retry apart, then goes down', () => {
  const r = run(initialState(false, 3), [true, false, false, false, false]);
  assert.deepEqual(
    r.map((x) => [x.nextMs, x.transition, x.log]),
    [
      [6000, undefined, 'success'],
      [3000, undefined, undefined],
      [3000, undefined, undefined],
      [3000, undefined, undefined],
      [6000, 'down', 'failed-after'],
    ],
  );
});

test('no retries while down; one success brings it back; a success between failures resets retries', () => {
  const r = run(initialState(false, 2), [true, false, true, false, false, false, false, true], {
    ...T,
    retry: 2,
  });
  assert.deepEqual(
    r.map((x) => [x.up, x.nextMs, x.transition]),
    [
      [true, 6000, undefined],
      [true, 3000, undefined],
      [true, 6000, undefined],
      [true, 3000, undefined],
      [true, 3000, undefined],
      [false, 6000, 'down'],
      [false, 6000, undefined],
      [true, 6000, 'up'],
    ],
  );
});

test('alpha starts down: a first failure logs "failed." without a transition, a success brings it up', () => {
  const r = run(initialState(true, 3), [false, false, true]);
  assert.deepEqual(
    r.map((x) => [x.up, x.transition, x.log]),
    [
      [false, undefined, 'failed'],
      [false, undefined, undefined],
      [true, 'up', 'success'],
    ],
  );
});

test('retry 0: the first failure of a healthy checker is final and logs plain "failed."', () => {
  const s = step(initialState(false, 0), true, { ...T, retry: 0 }).state;
  const r = step(s, false, { ...T, retry: 0 });
  assert.equal(r.transition, 'down');
  assert.equal(r.log, 'failed');
});

test('detection bounds: the seed settings give 9 s best (refused) and 27 s worst (black hole)', () => {
  assert.deepEqual(detectionBounds(T, 3), { best: 9, worst: 27 });
});
