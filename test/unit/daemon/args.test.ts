// tandem's command line: --check-workers takes a worker count (0 = checkers on the main thread)
// and rejects anything else as a usage error value, never an exception.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDaemonArgs, USAGE } from '../../../src/daemon/args.js';

test('--check-workers N: 0 and small counts accepted; absent leaves the default to run.ts', () => {
  for (const n of [0, 1, 2, 16]) {
    const r = parseDaemonArgs([`--check-workers=${n}`]);
    assert.ok(r.ok);
    assert.equal(r.args.checkWorkers, n);
  }
  const none = parseDaemonArgs([]);
  assert.ok(none.ok);
  assert.equal(none.args.checkWorkers, undefined);
  assert.match(USAGE, /--check-workers=N/);
});

test('--check-workers rejects non-numbers, negatives and huge counts', () => {
  for (const bad of ['-1', 'two', '65', '1.5', '']) {
    assert.equal(parseDaemonArgs([`--check-workers=${bad}`]).ok, false, bad);
  }
});
