import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../../src/lib/clock.js';
import { createLogger, memorySink, silentLogger } from '../../../src/lib/log.js';
import { ScriptRunner } from '../../../src/notify/script-runner.js';
import { ScriptSecurity } from '../../../src/notify/script-security.js';
import type { ScriptCall } from '../../../src/notify/vrrp-scripts.js';
import { fakeSpawner } from '../../helpers/fake-spawner.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const own = { uid: 0, gid: 0 };
const call = (command: string, ...args: string[]): ScriptCall => ({
  script: { command, argv: [command] },
  args,
  keyword: 'notify',
});

test("one object's scripts run one after another, in order; objects run in parallel", async () => {
  const spawner = fakeSpawner();
  const r = new ScriptRunner({ log: silentLogger, clock: new ManualClock(), spawner, ownIds: own });
  r.run('VI_1', call('/m.sh'));
  r.run('VI_1', call('/n.sh', 'INSTANCE', 'VI_1', 'MASTER', '100'));
  r.run('VI_2', call('/b.sh'));
  await tick();
  assert.deepEqual(
    spawner.runs.map((x) => x.argv),
    [['/m.sh'], ['/b.sh']],
  );
  spawner.runs[0]!.exit(0);
  await tick();
  assert.deepEqual(spawner.runs[2]!.argv, ['/n.sh', 'INSTANCE', 'VI_1', 'MASTER', '100']);
  assert.equal(spawner.runs[2]!.ids, undefined, 'same user as the daemon: no setuid');
  spawner.runs[1]!.exit(1);
  spawner.runs[2]!.exit(0);
  await r.idle();
  assert.deepEqual(r.stats, {
    started: 3,
    succeeded: 2,
    failed: 1,
    timedOut: 0,
    dropped: 0,
    refused: 0,
  });
});

test('a script past its timeout gets SIGTERM, then SIGKILL, and the queue moves on', async () => {
  const spawner = fakeSpawner();
  const clock = new ManualClock();
  const r = new ScriptRunner({
    log: silentLogger,
    clock,
    spawner,
    ownIds: own,
    timeoutMs: 5000,
    killGraceMs: 2000,
  });
  r.run('VI_1', call('/hang.sh'));
  r.run('VI_1', call('/next.sh'));
  await tick();
  clock.advance(4999);
  assert.deepEqual(spawner.runs[0]!.signals, []);
  clock.advance(1);
  assert.deepEqual(spawner.runs[0]!.signals, ['SIGTERM']);
  clock.advance(2000);
  assert.deepEqual(spawner.runs[0]!.signals, ['SIGTERM', 'SIGKILL']);
  await tick();
  assert.equal(spawner.runs.length, 2);
  spawner.runs[1]!.exit(0);
  await r.idle();
  assert.equal(r.stats.timedOut, 1);
  assert.equal(r.stats.succeeded, 1);
});

test('a script that exits on SIGTERM counts as timed out and frees the queue at once', async () => {
  const spawner = fakeSpawner();
  const clock = new ManualClock();
  const r = new ScriptRunner({ log: silentLogger, clock, spawner, ownIds: own, timeoutMs: 100 });
  r.run('k', call('/slow.sh'));
  await tick();
  clock.advance(100);
  spawner.runs[0]!.end({ type: 'signal', signal: 'SIGTERM' });
  await r.idle();
  assert.equal(r.stats.timedOut, 1);
  assert.deepEqual(spawner.runs[0]!.signals, ['SIGTERM']);
});

test('queues are bounded per object; drops are counted and logged', async () => {
  const spawner = fakeSpawner();
  const sink = memorySink();
  const r = new ScriptRunner({
    log: createLogger({ write: sink.write }),
    clock: new ManualClock(),
    spawner,
    ownIds: own,
    maxQueued: 2,
  });
  assert.equal(r.run('k', call('/1')), true);
  assert.equal(r.run('k', call('/2')), true);
  assert.equal(r.run('k', call('/3')), true, 'the first is running, two wait');
  assert.equal(r.run('k', call('/4')), false);
  assert.equal(r.run('other', call('/x')), true);
  assert.equal(r.stats.dropped, 1);
  assert.ok(sink.records.some((x) => x.msg === 'notify script queue full, run dropped'));
  spawner.autoExit = 0;
  await tick();
  spawner.runs[0]!.exit(0);
  spawner.runs[1]!.exit(0);
  await r.idle();
  assert.deepEqual(
    spawner.runs.map((x) => x.argv[0]),
    ['/1', '/x', '/2', '/3'],
  );
});

test('scripts run as their own user, else the default script user', async () => {
  const spawner = fakeSpawner();
  spawner.autoExit = 0;
  const asked: string[] = [];
  const r = new ScriptRunner({
    log: silentLogger,
    clock: new ManualClock(),
    spawner,
    ownIds: own,
    defaultUser: { user: 'keepalived_script' },
    resolveUser: (user, group) => {
      asked.push(`${user}:${group ?? ''}`);
      return Promise.resolve(
        user === 'ghost'
          ? { ok: false, reason: 'unknown user ghost' }
          : { ok: true, ids: { uid: 990, gid: 991 } },
      );
    },
  });
  r.run('a', call('/default.sh'));
  r.run('b', {
    script: { command: '/u.sh', argv: ['/u.sh'], user: 'www', group: 'adm' },
    args: [],
    keyword: 'notify_up',
  });
  r.run('c', {
    script: { command: '/g.sh', argv: ['/g.sh'], user: 'ghost' },
    args: [],
    keyword: 'notify',
  });
  await r.idle();
  assert.deepEqual(asked.sort(), ['ghost:', 'keepalived_script:', 'www:adm']);
  assert.deepEqual(
    spawner.runs.map((x) => [x.argv[0], x.ids]),
    [
      ['/default.sh', { uid: 990, gid: 991 }],
      ['/u.sh', { uid: 990, gid: 991 }],
    ],
  );
  assert.equal(r.stats.refused, 1);
});

test('script security refuses an unsafe script once in the log, every time in the counter', async () => {
  const spawner = fakeSpawner();
  const sink = memorySink();
  const log = createLogger({ write: sink.write });
  const r = new ScriptRunner({
    log,
    clock: new ManualClock(),
    spawner,
    ownIds: own,
    security: new ScriptSecurity(true, log),
  });
  r.run('VI_1', call('/nonexistent/notify.sh'));
  r.run('VI_1', call('/nonexistent/notify.sh'));
  await r.idle();
  assert.equal(spawner.runs.length, 0);
  assert.equal(r.stats.refused, 2);
  assert.deepEqual(
    sink.records.map((x) => x.msg),
    ['Cannot find script /nonexistent/notify.sh.'],
  );
});

test('close() drops waiting runs, terminates running ones and refuses new ones', async () => {
  const spawner = fakeSpawner();
  const clock = new ManualClock();
  const r = new ScriptRunner({ log: silentLogger, clock, spawner, ownIds: own });
  r.run('k', call('/1'));
  r.run('k', call('/2'));
  await tick();
  r.close();
  assert.deepEqual(spawner.runs[0]!.signals, ['SIGTERM']);
  spawner.runs[0]!.end({ type: 'signal', signal: 'SIGTERM' });
  await r.idle();
  assert.equal(spawner.runs.length, 1);
  assert.equal(r.run('k', call('/3')), false);
});
