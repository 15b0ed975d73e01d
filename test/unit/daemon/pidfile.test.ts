// The pid file: written at start, refused while it names a live tandem, replaced when stale,
// removed at stop only while it still names this process.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { claimPidfile, isLiveTandem, releasePidfile } from '../../../src/daemon/pidfile.js';
import { pidfileOf } from '../../../src/daemon/run.js';
import { parseDaemonArgs } from '../../../src/daemon/args.js';

function dir(t: { after: (fn: () => void) => void }): string {
  const d = mkdtempSync(join(tmpdir(), 'tandem-pid-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test('claim writes our pid; a live tandem in the file refuses; release removes it', (t) => {
  const path = join(dir(t), 'tandem.pid');
  assert.deepEqual(
    claimPidfile(path, 4242, () => false),
    { ok: true },
  );
  assert.equal(readFileSync(path, 'utf8'), '4242\n');
  assert.deepEqual(
    claimPidfile(path, 5000, (p) => p === 4242),
    {
      ok: false,
      message: 'tandem is already running (pid 4242)',
    },
  );
  // Stale: the process is gone (or is not tandem): replaced.
  assert.deepEqual(
    claimPidfile(path, 5000, () => false),
    { ok: true },
  );
  releasePidfile(path, 4242);
  assert.ok(existsSync(path), 'a file naming another pid is left alone');
  releasePidfile(path, 5000);
  assert.equal(existsSync(path), false);
});

test('garbage in the file is stale; an unwritable path is an error value', (t) => {
  const d = dir(t);
  const path = join(d, 'tandem.pid');
  writeFileSync(path, 'not a pid\n');
  assert.deepEqual(
    claimPidfile(path, 7, () => true),
    { ok: true },
  );
  const r = claimPidfile(join(d, 'missing', 'x.pid'), 7, () => false);
  assert.equal(r.ok, false);
});

test('isLiveTandem: this test runner is alive but not tandem; pid 2^22+1 does not exist', () => {
  assert.equal(isLiveTandem(process.pid), false);
  assert.equal(isLiveTandem(4194305), false);
});

test('default pid file: /run/tandem.pid only for root on the default configuration', () => {
  const parse = (argv: string[]) => {
    const r = parseDaemonArgs(argv);
    assert.ok(r.ok);
    return r.args;
  };
  assert.equal(pidfileOf(parse([]), 0), '/run/tandem.pid');
  assert.equal(pidfileOf(parse([]), 1000), undefined);
  assert.equal(pidfileOf(parse(['-f', '/x.conf']), 0), undefined);
  assert.equal(pidfileOf(parse(['-f', '/x.conf', '-p', '/tmp/t.pid']), 1000), '/tmp/t.pid');
});
