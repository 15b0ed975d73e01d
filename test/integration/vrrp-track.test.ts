// VRRP trackers with real processes and files: sh scripts whose exit status the test flips, a
// script that hangs past its timeout (and must be killed), a script run as another user, and a
// track_file seen through fs.watch. Real clock; every wait is bounded.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { compileConfig } from '../../src/config/index.js';
import type { Config } from '../../src/config/model.js';
import { systemClock } from '../../src/lib/clock.js';
import { createLogger, memorySink } from '../../src/lib/log.js';
import { Trackers } from '../../src/vrrp/trackers.js';
import { requireRoot } from '../helpers/tools.js';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-vrrp-track-'));
  chmodSync(dir, 0o777); // the `user nobody` script writes here
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function shScript(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function compile(dir: string, text: string): Config {
  const path = join(dir, 'keepalived.conf');
  writeFileSync(path, text);
  const r = compileConfig(path, { hostname: 'h', user: 'u' });
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
    [],
  );
  return r.config;
}

const instance = (body: string): string =>
  `vrrp_instance VI_1 {\n state BACKUP\n interface eth0\n virtual_router_id 51\n priority 100\n virtual_ipaddress {\n 10.0.0.1\n }\n${body}\n}\n`;

async function waitFor(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function start(t: TestContext, cfg: Config) {
  const sink = memorySink();
  const trk = new Trackers(cfg, {
    clock: systemClock,
    logger: createLogger({ write: sink.write }),
  });
  t.after(() => trk.close());
  const changes: string[][] = [];
  trk.onChange((n) => changes.push([...n]));
  trk.start();
  const msgs = (): string[] => sink.records.map((r) => r.msg);
  return { trk, changes, msgs };
}

test('vrrp_script: real exit statuses drive up/down with keepalived log lines', async (t) => {
  const dir = tempDir(t);
  const rc = join(dir, 'rc');
  writeFileSync(rc, '0\n');
  const check = shScript(dir, 'check.sh', `exit $(cat ${rc})`);
  const cfg = compile(
    dir,
    `vrrp_script chk {\n script "${check}"\n interval 0.1\n}\n` +
      instance(' track_script {\n chk\n }'),
  );
  const { trk, changes, msgs } = start(t, cfg);
  const up = (): boolean | undefined => trk.statesFor('VI_1')[0]?.up;
  await waitFor('first success', () => up() === true);
  writeFileSync(rc, '3\n');
  await waitFor('failure', () => up() === false);
  writeFileSync(rc, '0\n');
  await waitFor('recovery', () => up() === true);
  assert.deepEqual(msgs(), [
    'VRRP_Script(chk) succeeded',
    'Script `chk` now returning 3',
    'VRRP_Script(chk) failed (exited with status 3)',
    'Script `chk` now returning 0',
    'VRRP_Script(chk) succeeded',
  ]);
  assert.deepEqual(changes, [['VI_1'], ['VI_1'], ['VI_1']]);
});

test('vrrp_script: a hanging script times out and its process group is killed', async (t) => {
  const dir = tempDir(t);
  const pidFile = join(dir, 'pid');
  const slow = shScript(
    dir,
    'slow.sh',
    `echo $$ > ${pidFile}\nsleep 30 &\necho $! >> ${pidFile}\nwait`,
  );
  const cfg = compile(
    dir,
    `vrrp_script chk_slow {\n script "${slow}"\n interval 5\n timeout 0.3\n}\n` +
      instance(' track_script {\n chk_slow\n }'),
  );
  const { trk, msgs } = start(t, cfg);
  await waitFor('timed_out', () => msgs().includes('VRRP_Script(chk_slow) timed_out'));
  assert.deepEqual(trk.statesFor('VI_1')[0], {
    kind: 'script',
    name: 'chk_slow',
    weight: 0,
    reverse: false,
    up: false,
  });
  const pids = readFileSync(pidFile, 'utf8').trim().split('\n').map(Number);
  assert.equal(pids.length, 2);
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  await waitFor('script and its child to die', () => pids.every((p) => !alive(p)), 4000);
});

test('vrrp_script: user nobody runs the script as that user', async (t) => {
  if (!requireRoot(t, 'setuid to another user')) return;
  const dir = tempDir(t);
  const out = join(dir, 'uid');
  const who = shScript(dir, 'who.sh', `id -u > ${out}`);
  const cfg = compile(
    dir,
    `vrrp_script chk_user {\n script "${who}"\n interval 5\n user nobody\n}\n` +
      instance(' track_script {\n chk_user\n }'),
  );
  const { trk } = start(t, cfg);
  await waitFor('script result', () => trk.statesFor('VI_1')[0]?.up === true);
  const nobody = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('nobody:'))
    ?.split(':')[2];
  assert.equal(readFileSync(out, 'utf8').trim(), nobody);
});

test('track_file: init_file creates it; a replaced file is seen through fs.watch', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'prio');
  const cfg = compile(
    dir,
    `track_file tf {\n file "${file}"\n weight 0\n init_file 0\n}\n` +
      instance(' track_file {\n tf\n }'),
  );
  const { trk, changes } = start(t, cfg);
  assert.equal(readFileSync(file, 'utf8'), '0\n');
  assert.deepEqual(trk.statesFor('VI_1'), [
    { kind: 'file', name: 'tf', weight: 0, reverse: false, up: true, value: 0 },
  ]);
  const t0 = Date.now();
  rmSync(file);
  writeFileSync(file, '1\n');
  await waitFor('file change', () => trk.statesFor('VI_1')[0]?.value === 1, 3000);
  const ms = Date.now() - t0;
  assert.equal(trk.statesFor('VI_1')[0]?.up, false);
  assert.ok(changes.length >= 1);
  t.diagnostic(`track_file change seen after ${ms} ms`);
});
