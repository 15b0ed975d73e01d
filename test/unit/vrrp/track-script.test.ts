// vrrp_script runner on a ManualClock with a fake spawner: rise/fall, init state, timeouts,
// overlap, users, and keepalived's log lines.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VrrpScript } from '../../../src/config/model.js';
import { ManualClock } from '../../../src/lib/clock.js';
import { createLogger, memorySink } from '../../../src/lib/log.js';
import { ScriptRunner, type ScriptStatus } from '../../../src/vrrp/track-script.js';
import { fakeSpawner } from '../../helpers/fake-spawner.js';

function script(over: Partial<VrrpScript> = {}): VrrpScript {
  return {
    at: { file: 't.conf', line: 1, column: 1 },
    name: 'chk_nginx',
    script: { command: '/bin/check', argv: ['/bin/check', '-q'] },
    interval: 1,
    timeout: 0,
    weight: 0,
    weightReverse: false,
    rise: 1,
    fall: 1,
    initFail: false,
    ...over,
  };
}

function setup(over: Partial<VrrpScript> = {}, user?: { ok: boolean }) {
  const clock = new ManualClock();
  const sink = memorySink();
  const spawner = fakeSpawner();
  const changes: ScriptStatus[] = [];
  const runner = new ScriptRunner(script(over), {
    clock,
    logger: createLogger({ write: sink.write }),
    spawner,
    onChange: (s) => changes.push(s),
    ...(user === undefined
      ? {}
      : {
          resolveUser: (name: string) =>
            Promise.resolve(
              user.ok
                ? { ok: true as const, ids: { uid: 1000, gid: 1001 } }
                : { ok: false as const, reason: `unknown user ${name}` },
            ),
        }),
  });
  const lines = (): string[] => sink.records.map((r) => r.msg);
  return { clock, spawner, runner, changes, lines };
}

test('first run at start, then every interval; exit 0 succeeds once', () => {
  const { clock, spawner, runner, changes, lines } = setup();
  assert.deepEqual(runner.status, { up: false, pending: true });
  runner.start();
  assert.equal(spawner.runs.length, 1);
  assert.deepEqual(spawner.runs[0]?.argv, ['/bin/check', '-q']);
  spawner.runs[0]?.exit(0);
  assert.deepEqual(runner.status, { up: true, pending: false });
  assert.deepEqual(changes, [{ up: true, pending: false }]);
  clock.advance(1000);
  assert.equal(spawner.runs.length, 2);
  spawner.runs[1]?.exit(0);
  assert.deepEqual(lines(), ['VRRP_Script(chk_nginx) succeeded']);
  runner.close();
});

test('rise 2 / fall 2: fall consecutive failures to go down, rise successes to come back', () => {
  const { clock, spawner, runner, lines } = setup({ rise: 2, fall: 2 });
  spawner.autoExit = 0;
  runner.start(); // init: one success is enough
  assert.equal(runner.status.up, true);
  spawner.autoExit = 1;
  clock.advance(1000);
  assert.equal(runner.status.up, true, 'one failure is not enough');
  clock.advance(1000);
  assert.equal(runner.status.up, false);
  spawner.autoExit = 0;
  clock.advance(1000);
  assert.equal(runner.status.up, false, 'one success is not enough');
  clock.advance(1000);
  assert.equal(runner.status.up, true);
  assert.deepEqual(lines(), [
    'VRRP_Script(chk_nginx) succeeded',
    'Script `chk_nginx` now returning 1',
    'VRRP_Script(chk_nginx) failed (exited with status 1)',
    'Script `chk_nginx` now returning 0',
    'VRRP_Script(chk_nginx) succeeded',
  ]);
  runner.close();
});

test('a failure interrupting a rise streak restarts it; a success resets the fall count', () => {
  const { clock, spawner, runner } = setup({ rise: 3, fall: 3, initFail: true });
  const seq = [0, 0, 1, 0, 0, 0];
  const ups: boolean[] = [];
  runner.start();
  for (const code of seq) {
    spawner.runs.at(-1)?.exit(code);
    ups.push(runner.status.up);
    clock.advance(1000);
  }
  assert.deepEqual(ups, [false, false, false, false, false, true]);
  const down = [1, 1, 0, 1, 1, 1];
  const ups2: boolean[] = [];
  for (const code of down) {
    spawner.runs.at(-1)?.exit(code);
    ups2.push(runner.status.up);
    clock.advance(1000);
  }
  assert.deepEqual(ups2, [true, true, true, true, true, false]);
  runner.close();
});

test('init_fail starts failed and not pending; its first failure logs nothing', () => {
  const { spawner, runner, lines, changes } = setup({ initFail: true });
  assert.deepEqual(runner.status, { up: false, pending: false });
  runner.start();
  spawner.runs[0]?.exit(2);
  assert.deepEqual(lines(), ['Script `chk_nginx` now returning 2']);
  assert.deepEqual(changes, []);
  runner.close();
});

test('a pending script reports its first failure even when fall > 1', () => {
  const { spawner, runner, lines, changes } = setup({ fall: 3, rise: 3 });
  runner.start();
  spawner.runs[0]?.exit(1);
  assert.deepEqual(runner.status, { up: false, pending: false });
  assert.deepEqual(changes, [{ up: false, pending: false }]);
  assert.deepEqual(lines(), [
    'Script `chk_nginx` now returning 1',
    'VRRP_Script(chk_nginx) failed (exited with status 1)',
  ]);
  runner.close();
});

test('timeout: counts as failure at once, SIGTERM, SIGKILL 2 s later; no overlapping run', () => {
  const { clock, spawner, runner, lines } = setup({ interval: 1, timeout: 0.5 });
  spawner.autoExit = 0;
  runner.start();
  spawner.autoExit = undefined;
  clock.advance(1000); // second run hangs
  const hung = spawner.runs[1];
  clock.advance(499);
  assert.equal(runner.status.up, true);
  clock.advance(1);
  assert.equal(runner.status.up, false);
  assert.deepEqual(hung?.signals, ['SIGTERM']);
  clock.advance(500); // next interval: still running, skipped
  assert.equal(spawner.runs.length, 2);
  clock.advance(1500);
  assert.deepEqual(hung?.signals, ['SIGTERM', 'SIGKILL']);
  hung?.end({ type: 'signal', signal: 'SIGKILL' }); // already counted: ignored
  assert.deepEqual(lines(), [
    'VRRP_Script(chk_nginx) succeeded',
    'VRRP_Script(chk_nginx) timed_out',
    'Track script chk_nginx is already running, expect idle - skipping run',
    'Track script chk_nginx is already running, expect idle - skipping run',
  ]);
  clock.advance(1000);
  assert.equal(spawner.runs.length, 3, 'runs resume once the old one is gone');
  runner.close();
});

test('timeout 0 means the interval; close kills a running script', () => {
  const { clock, spawner, runner } = setup({ interval: 2 });
  runner.start();
  clock.advance(1999);
  assert.deepEqual(spawner.runs[0]?.signals, []);
  clock.advance(1);
  assert.deepEqual(spawner.runs[0]?.signals, ['SIGTERM']);
  runner.close();
  assert.deepEqual(spawner.runs[0]?.signals, ['SIGTERM', 'SIGKILL'], 'close kills the run');
});

test('decimal intervals run on millisecond resolution', () => {
  const { clock, spawner, runner } = setup({ interval: 0.25 });
  spawner.autoExit = 0;
  runner.start();
  clock.advance(1000);
  assert.equal(spawner.runs.length, 5);
  runner.close();
  clock.advance(1000);
  assert.equal(spawner.runs.length, 5, 'nothing runs after close');
});

test('death by a signal is a failure "due to signal N"; exec errors fail too', () => {
  const { clock, spawner, runner, lines } = setup();
  spawner.autoExit = 0;
  runner.start();
  spawner.autoExit = undefined;
  clock.advance(1000);
  spawner.runs[1]?.end({ type: 'signal', signal: 'SIGKILL' });
  assert.equal(runner.status.up, false);
  clock.advance(1000);
  spawner.runs[2]?.exit(0);
  clock.advance(1000);
  spawner.runs[3]?.end({ type: 'error', message: 'exec error ENOENT' });
  assert.deepEqual(lines(), [
    'VRRP_Script(chk_nginx) succeeded',
    'VRRP_Script(chk_nginx) failed (due to signal 9)',
    'VRRP_Script(chk_nginx) succeeded',
    'VRRP_Script(chk_nginx) failed (exec error ENOENT)',
  ]);
  runner.close();
});

test('user USER GROUP: resolved ids reach the spawner; an unknown user fails every run', async () => {
  const ok = setup(
    { script: { command: 'x', argv: ['x'], user: 'www', group: 'web' } },
    { ok: true },
  );
  ok.runner.start();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(ok.spawner.runs[0]?.ids, { uid: 1000, gid: 1001 });
  ok.runner.close();

  const bad = setup({ script: { command: 'x', argv: ['x'], user: 'nobody9' } }, { ok: false });
  bad.runner.start();
  await new Promise((r) => setImmediate(r));
  assert.equal(bad.spawner.runs.length, 0);
  assert.deepEqual(bad.runner.status, { up: false, pending: false });
  assert.deepEqual(bad.lines(), ['VRRP_Script(chk_nginx) failed (unknown user nobody9)']);
  bad.clock.advance(1000);
  assert.equal(bad.spawner.runs.length, 0);
  bad.runner.close();
});
