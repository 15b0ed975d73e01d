import assert from 'node:assert/strict';
import { chmod, chown, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger, memorySink } from '../../../src/lib/log.js';
import {
  checkScript,
  defaultScriptUser,
  ScriptSecurity,
} from '../../../src/notify/script-security.js';
import { requireRoot } from '../../helpers/tools.js';

const me = process.getuid?.() ?? 0;

async function tree(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'notify-sec-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await chmod(dir, 0o755);
  await mkdir(join(dir, 'bin'), { mode: 0o755 });
  await writeFile(join(dir, 'bin', 'ok.sh'), '#!/bin/sh\n', { mode: 0o755 });
  return dir;
}

test('a script only its owner can change is admitted, found through PATH too', async (t) => {
  const dir = await tree(t);
  const v = await checkScript(join(dir, 'bin', 'ok.sh'), me);
  assert.deepEqual(v, { ok: true, path: join(dir, 'bin', 'ok.sh') });
  assert.equal((await checkScript('ok.sh', me, `/nonexistent:${join(dir, 'bin')}`)).ok, true);
});

test('world-writable script or directory is refused with keepalived’s words', async (t) => {
  const dir = await tree(t);
  const script = join(dir, 'bin', 'ok.sh');
  await chmod(script, 0o757);
  const v = await checkScript(script, me);
  assert.equal(v.ok, false);
  assert.ok(!v.ok);
  assert.equal(v.reason, `Unsafe permissions found for script '${script}'.`);
  assert.match(v.detail, /^SECURITY VIOLATION - script .* is writable by non-root user/);
  await chmod(script, 0o755);
  await chmod(join(dir, 'bin'), 0o777);
  assert.equal((await checkScript(script, me)).ok, false);
  // The sticky bit makes a world-writable directory safe (like /tmp).
  await chmod(join(dir, 'bin'), 0o1777);
  assert.equal((await checkScript(script, me)).ok, true);
});

test('group-writable is refused unless the group is root', async (t) => {
  if (!requireRoot(t, 'chown to another group')) return;
  const dir = await tree(t);
  const script = join(dir, 'bin', 'ok.sh');
  await chmod(script, 0o775);
  assert.equal((await checkScript(script, 0)).ok, true);
  await chown(script, 0, 1000);
  assert.equal((await checkScript(script, 0)).ok, false);
});

test('a path component owned by another user is refused for root, fine for that user', async (t) => {
  if (!requireRoot(t, 'chown to another user')) return;
  const dir = await tree(t);
  await chown(join(dir, 'bin'), 1000, 1000);
  const script = join(dir, 'bin', 'ok.sh');
  const v = await checkScript(script, 0);
  assert.ok(!v.ok);
  assert.match(v.detail, /owned by uid 1000/);
  assert.equal((await checkScript(script, 1000)).ok, true);
});

test('symlinks are followed: the real file is what is checked', async (t) => {
  const dir = await tree(t);
  await writeFile(join(dir, 'bad.sh'), '#!/bin/sh\n', { mode: 0o777 });
  await chmod(join(dir, 'bad.sh'), 0o777);
  await symlink(join(dir, 'bad.sh'), join(dir, 'bin', 'link.sh'));
  assert.equal((await checkScript(join(dir, 'bin', 'link.sh'), me)).ok, false);
});

test('missing or non-executable scripts are refused', async (t) => {
  const dir = await tree(t);
  const missing = await checkScript(join(dir, 'nope.sh'), me);
  assert.ok(!missing.ok);
  assert.match(missing.reason, /^Cannot find script/);
  await chmod(join(dir, 'bin', 'ok.sh'), 0o644);
  const v = await checkScript(join(dir, 'bin', 'ok.sh'), me);
  assert.ok(!v.ok);
  assert.match(v.reason, /is not executable/);
  assert.ok(!(await checkScript('surely-not-a-command-xyz', me)).ok);
});

test('without script security, root scripts draw one warning and run', async (t) => {
  const dir = await tree(t);
  const sink = memorySink();
  const sec = new ScriptSecurity(false, createLogger({ write: sink.write }));
  await chmod(join(dir, 'bin', 'ok.sh'), 0o777);
  assert.equal((await sec.admit(join(dir, 'bin', 'ok.sh'), 0)).ok, true);
  assert.equal((await sec.admit(join(dir, 'bin', 'ok.sh'), 0)).ok, true);
  assert.deepEqual(
    sink.records.map((r) => r.msg),
    ['SECURITY VIOLATION - scripts are being executed but script_security not enabled.'],
  );
  const on = new ScriptSecurity(true, createLogger({ write: sink.write }));
  assert.equal((await on.admit(join(dir, 'bin', 'ok.sh'), 0)).ok, false);
});

test('default script user: script_user, else keepalived_script if it exists, else none', async () => {
  const exists = (names: string[]) => (n: string) => Promise.resolve(names.includes(n));
  assert.deepEqual(await defaultScriptUser({ user: 'nobody', group: 'nogroup' }, exists([])), {
    user: 'nobody',
    group: 'nogroup',
  });
  assert.deepEqual(await defaultScriptUser(undefined, exists(['keepalived_script'])), {
    user: 'keepalived_script',
  });
  assert.equal(await defaultScriptUser(undefined, exists([])), undefined);
});
