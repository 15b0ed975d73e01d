// `tandem demo --smoke` (what `npm start -- --smoke` runs) works end to end: three real servers,
// two directors that elect a VRRP master, the tour run by the demo itself — round robin,
// tandemadm -L -n, a real server leaving and returning, failover and fail back — and a clean stop
// that leaves no run files behind. A prefix of its own keeps it apart from other tests.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { TANDEM } from '../helpers/paths.js';

test('tandem demo --smoke: the tour passes and the demo cleans up', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-demo-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const runDir = join(dir, 'run');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [TANDEM, 'demo', '--smoke', '--prefix', '127.0.41', '--run-dir', runDir],
    { timeout: 90_000 },
  );
  for (const n of [1, 2, 3, 4, 5])
    assert.match(stdout, new RegExp(`smoke: ${n}\\. .*: ok`), stdout);
  assert.match(stdout, /smoke: every step passed/);
  assert.match(stdout, /b \| \(VI_1\) Entering MASTER STATE/);
  assert.match(stdout, /b \| \(VI_1\) Entering BACKUP STATE/);
  assert.match(stdout, /demo: stopped; nothing it started is left\n/);
  assert.equal(existsSync(runDir), false, 'the run directory is removed');
});

test('tandem demo: usage errors exit 2, commands without a demo exit 1', async () => {
  const run = (args: string[]) =>
    promisify(execFile)(process.execPath, [TANDEM, 'demo', ...args]).then(
      () => 0,
      (err: unknown) => (err as { code?: number }).code ?? -1,
    );
  assert.equal(await run(['--prefix', '10.0.0']), 2);
  assert.equal(await run(['rs', 'reboot', '2']), 2);
  const dir = mkdtempSync(join(tmpdir(), 'tandem-demo-none-'));
  try {
    assert.equal(await run(['--run-dir', dir, 'rs', 'stop', '2']), 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
