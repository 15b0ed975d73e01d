// `npm start`'s job (scripts/demo.mjs) works end to end: demo real servers, the daemon, ten
// requests through the VIP split between the two servers.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { REPO } from '../helpers/paths.js';

test('npm start: the quick-start cluster balances ten requests 5/5', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(REPO, 'scripts', 'demo.mjs')],
    {
      env: { ...process.env, DEMO_SMOKE: '1' },
      timeout: 20_000,
    },
  );
  const hits = stdout.split('\n').filter((l) => l.startsWith('hello from real server'));
  assert.equal(hits.filter((l) => l.includes('127.0.0.2:8081')).length, 5);
  assert.equal(hits.filter((l) => l.includes('127.0.0.3:8082')).length, 5);
});
