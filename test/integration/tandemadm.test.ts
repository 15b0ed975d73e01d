// tandemadm's command line: ipvsadm's parsing and wording, before the daemon exists.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO } from '../helpers/paths.js';

const BIN = join(REPO, 'build', 'src', 'cli', 'main.js');
const run = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

test('tandemadm -v prints ipvsadm 1.31 version line', () => {
  const r = run('-v');
  assert.equal(r.status, 0);
  assert.equal(r.stdout, 'ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n');
});

test('bad arguments get ipvsadm-worded errors; valid commands report that no daemon is reachable', () => {
  const bad = run('-A', '-t', '10.0.0.1:80', '-s', 'nosuch');
  assert.notEqual(bad.status, 0);
  assert.notEqual(bad.stderr, '');
  const ok = run('-A', '-t', '10.0.0.1:80', '-s', 'rr');
  assert.equal(ok.status, 2);
  assert.match(ok.stderr, /cannot reach a tandem daemon/);
});
