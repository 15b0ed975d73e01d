// Notify scripts and FIFOs against real processes: /bin/sh scripts that append their arguments
// to a file, a FIFO read by `cat` and by a *_fifo_script, and an insecure script refused.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test, type TestContext } from 'node:test';
import { createLogger, memorySink, silentLogger } from '../../src/lib/log.js';
import { checkerScripts } from '../../src/notify/checker-scripts.js';
import type { NotifyEvent } from '../../src/notify/events.js';
import { NotifyFifos } from '../../src/notify/fifo-set.js';
import { ScriptRunner } from '../../src/notify/script-runner.js';
import { ScriptSecurity } from '../../src/notify/script-security.js';
import { vrrpScripts } from '../../src/notify/vrrp-scripts.js';
import { requireTool } from '../helpers/tools.js';

async function workdir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'notify-int-'));
  await chmod(dir, 0o755);
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A script that appends `tag args…` to `out`. */
async function recorder(dir: string, name: string, out: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\necho "${name} $*" >> '${out}'\n`, { mode: 0o755 });
  return path;
}

async function lines(path: string, n: number, ms = 5000): Promise<string[]> {
  const end = Date.now() + ms;
  for (;;) {
    const text = await readFile(path, 'utf8').catch(() => '');
    const got = text.split('\n').filter((l) => l !== '');
    if (got.length >= n || Date.now() > end) return got;
    await sleep(20);
  }
}

const spec = (path: string) => ({ command: path, argv: [path] });
const inst = (to: string, priority: number): NotifyEvent => ({
  kind: 'vrrp-instance',
  name: 'VI_1',
  from: '',
  to,
  priority,
  at: 0,
});

test("a sequence of VRRP and checker events runs the scripts with keepalived's arguments, in order", async (t) => {
  const dir = await workdir(t);
  const out = join(dir, 'out');
  const notifies = {
    notifyMaster: spec(await recorder(dir, 'master.sh', out)),
    notifyBackup: spec(await recorder(dir, 'backup.sh', out)),
    notifyFault: spec(await recorder(dir, 'fault.sh', out)),
    notifyStop: spec(await recorder(dir, 'stop.sh', out)),
    notify: spec(await recorder(dir, 'notify.sh', out)),
  };
  const log = createLogger({ write: memorySink().write });
  const runner = new ScriptRunner({ log, security: new ScriptSecurity(true, log) });
  t.after(() => runner.close());
  const events = [
    inst('BACKUP', 100),
    inst('MASTER', 100),
    inst('FAULT', 0),
    inst('BACKUP', 90),
    inst('STOP', 90),
  ];
  for (const e of events) for (const c of vrrpScripts(e, notifies)) runner.run('VI_1', c);
  await runner.idle();
  assert.deepEqual(await lines(out, 10), [
    'backup.sh ',
    'notify.sh INSTANCE VI_1 BACKUP 100',
    'master.sh ',
    'notify.sh INSTANCE VI_1 MASTER 100',
    'fault.sh ',
    'notify.sh INSTANCE VI_1 FAULT 0',
    'backup.sh ',
    'notify.sh INSTANCE VI_1 BACKUP 90',
    'stop.sh ',
    'notify.sh INSTANCE VI_1 STOP 90',
  ]);
  assert.deepEqual(runner.stats, {
    started: 10,
    succeeded: 10,
    failed: 0,
    timedOut: 0,
    dropped: 0,
    refused: 0,
  });

  const out2 = join(dir, 'out2');
  const rsn = {
    notifyUp: spec(await recorder(dir, 'up.sh', out2)),
    notifyDown: spec(await recorder(dir, 'down.sh', out2)),
  };
  const rs = (up: boolean): NotifyEvent => ({
    kind: 'rs',
    vs: 'k',
    vsLabel: '[10.0.0.1]:tcp:80',
    rs: 'r',
    rsLabel: '[10.0.0.2]:tcp:80',
    up,
    checker: 'TCP_CHECK',
    at: 0,
  });
  for (const up of [false, true, false])
    for (const c of checkerScripts(rs(up), rsn)) runner.run('rs r', c);
  await runner.idle();
  assert.deepEqual(await lines(out2, 3), ['down.sh ', 'up.sh ', 'down.sh ']);
});

test('a hung notify script is killed with its process group at the timeout', async (t) => {
  const dir = await workdir(t);
  const pidfile = join(dir, 'child.pid');
  const hang = join(dir, 'hang.sh');
  await writeFile(hang, `#!/bin/sh\nsleep 30 &\necho $! > '${pidfile}'\nwait\n`, { mode: 0o755 });
  const runner = new ScriptRunner({ log: silentLogger, timeoutMs: 300, killGraceMs: 300 });
  t.after(() => runner.close());
  const started = Date.now();
  runner.run('VI_1', { script: spec(hang), args: [], keyword: 'notify_master' });
  await runner.idle();
  const took = Date.now() - started;
  assert.ok(took >= 290 && took < 2000, `took ${took} ms`);
  assert.equal(runner.stats.timedOut, 1);
  const pid = Number((await readFile(pidfile, 'utf8')).trim());
  await sleep(100);
  // Gone, or a zombie waiting for whoever reaps orphans here: either way no longer running.
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  assert.ok(stat === '' || stat.includes(' Z '), `the forked sleep died with the group: ${stat}`);
});

test('an insecure (world-writable) script is refused when enable_script_security is on', async (t) => {
  const dir = await workdir(t);
  const out = join(dir, 'out');
  const script = await recorder(dir, 'notify.sh', out);
  await chmod(script, 0o777);
  const sink = memorySink();
  const log = createLogger({ write: sink.write });
  const runner = new ScriptRunner({ log, security: new ScriptSecurity(true, log) });
  t.after(() => runner.close());
  for (const c of vrrpScripts(inst('MASTER', 100), { notify: spec(script) })) runner.run('VI_1', c);
  await runner.idle();
  await sleep(100);
  assert.equal(await readFile(out, 'utf8').catch(() => 'absent'), 'absent');
  assert.equal(runner.stats.refused, 1);
  const rec = sink.records.find((r) => r.level === 50);
  assert.equal(rec?.msg, `Unsafe permissions found for script '${script}'.`);
  assert.match(
    String(rec?.detail),
    /^SECURITY VIOLATION - script .*notify\.sh is writable by non-root user/,
  );
});

test("notify FIFOs get keepalived's lines in order; the fifo script gets the path", async (t) => {
  if (!requireTool(t, 'mkfifo')) return;
  const dir = await workdir(t);
  const all = join(dir, 'all.fifo');
  const vrrp = join(dir, 'vrrp.fifo');
  const lvs = join(dir, 'lvs.fifo');
  const scriptOut = join(dir, 'script.out');
  const reader = join(dir, 'reader.sh');
  await writeFile(
    reader,
    `#!/bin/sh\nwhile read -r l; do echo "$l" >> '${scriptOut}'; done < "$1"\n`,
    { mode: 0o755 },
  );
  const fifos = await NotifyFifos.open(
    {
      notifyFifo: { path: all },
      vrrpNotifyFifo: { path: vrrp },
      vrrpNotifyFifoScript: spec(reader),
      lvsNotifyFifo: { path: lvs },
    },
    { log: silentLogger },
  );
  t.after(() => fifos.close());
  const events: NotifyEvent[] = [
    inst('BACKUP', 100),
    {
      kind: 'rs',
      vs: 'k',
      vsLabel: '[192.168.201.15]:tcp:80',
      rs: 'r',
      rsLabel: '[1.2.3.4]:tcp:80',
      up: false,
      checker: 'TCP_CHECK',
      at: 0,
    },
    inst('MASTER', 100),
    { kind: 'vrrp-group', name: 'G', to: 'MASTER', at: 0 },
    { kind: 'quorum', vs: 'k', vsLabel: '[192.168.201.15]:tcp:80', up: false, at: 0 },
  ];
  // Lines written before any reader wait in the pipe.
  for (const e of events.slice(0, 2)) fifos.emit(e);
  const cat = spawn('cat', [all], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => cat.kill());
  let text = '';
  cat.stdout.on('data', (b: Buffer) => (text += b.toString()));
  for (const e of events.slice(2)) fifos.emit(e);
  const end = Date.now() + 5000;
  while (text.split('\n').length < 6 && Date.now() < end) await sleep(20);
  assert.deepEqual(text.split('\n').slice(0, 5), [
    'INSTANCE "VI_1" BACKUP 100',
    'RS [1.2.3.4]:tcp:80 [192.168.201.15]:tcp:80 DOWN',
    'INSTANCE "VI_1" MASTER 100',
    'GROUP "G" MASTER 0',
    'VS [192.168.201.15]:tcp:80 DOWN',
  ]);
  assert.deepEqual(await lines(scriptOut, 3), [
    'INSTANCE "VI_1" BACKUP 100',
    'INSTANCE "VI_1" MASTER 100',
    'GROUP "G" MASTER 0',
  ]);
  const lvsCat = spawn('timeout', ['2', 'cat', lvs], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => lvsCat.kill());
  let lvsText = '';
  lvsCat.stdout.on('data', (b: Buffer) => (lvsText += b.toString()));
  const end2 = Date.now() + 5000;
  while (lvsText.split('\n').length < 3 && Date.now() < end2) await sleep(20);
  assert.deepEqual(lvsText.split('\n').slice(0, 2), [
    'RS [1.2.3.4]:tcp:80 [192.168.201.15]:tcp:80 DOWN',
    'VS [192.168.201.15]:tcp:80 DOWN',
  ]);
});
