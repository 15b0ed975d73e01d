// `npm start`'s job (scripts/demo.mjs) works end to end: demo real servers, two directors that
// elect a VRRP master, requests through the VIP split between the two servers, and a failover
// drill — director a stops, b takes the VIP, requests keep being answered.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { REPO } from '../helpers/paths.js';

test('npm start: the quick-start HA cluster balances and fails over', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(REPO, 'scripts', 'demo.mjs')],
    {
      env: { ...process.env, DEMO_SMOKE: '1' },
      timeout: 30_000,
    },
  );
  for (const via of ['via a:', 'via b:']) {
    const hits = stdout.split('\n').filter((l) => l.startsWith(`${via} hello from real server`));
    assert.equal(hits.filter((l) => l.includes('127.0.0.2:8081')).length, 2, stdout);
    assert.equal(hits.filter((l) => l.includes('127.0.0.3:8082')).length, 2, stdout);
  }
});
