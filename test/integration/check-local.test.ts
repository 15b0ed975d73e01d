// PING_CHECK, MISC_CHECK and FILE_CHECK probes with real sockets, scripts and files: pings over
// loopback and over a veth into a network namespace this test creates (the only way to get a
// silent address: loopback answers every 127/8 ping), shell scripts that exit, hang, ignore
// SIGTERM or run as another user, and a temp file holding a track_file value.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type {
  CheckerCommon,
  FileCheck,
  MiscCheck,
  PingCheck,
  TrackFile,
} from '../../src/config/model.js';
import { fileProbe, miscProbe, pingProbe, type ProbeTarget } from '../../src/check/index.js';
import { requireRoot, requireTool } from '../helpers/tools.js';

const common: CheckerCommon = {
  at: { file: 'test', line: 1, column: 1 },
  connectTimeout: 1,
  retry: 0,
  delayBeforeRetry: 1,
  warmup: 0,
  delayLoop: 1,
  alpha: false,
  logAllFailures: false,
};
const never = new AbortController().signal;

function target(address: string, timeoutMs = 1000): ProbeTarget {
  return {
    address,
    family: address.includes(':') ? 'inet6' : 'inet',
    port: 80,
    label: `[${address}]:tcp:80`,
    timeoutMs,
  };
}

/** False once pid is gone or a zombie (an orphan waits for its new parent to reap it). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

function sh(cmd: string): { status: number | null; out: string } {
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('PING_CHECK', () => {
  const ping: PingCheck = { ...common, type: 'PING_CHECK' };

  test('loopback answers (IPv4 and IPv6)', async () => {
    assert.deepEqual(await pingProbe(ping)(target('127.0.61.4'), never), {
      ok: true,
      message: 'ICMP connection to [127.0.61.4]:tcp:80 success.',
    });
    const v6 = await pingProbe(ping)(target('::1'), never);
    assert.equal(v6.ok, true, v6.message);
  });

  test('a namespace behind a veth: answering address, silent address', async (t) => {
    if (!requireTool(t, 'ip')) return;
    if (!requireRoot(t, 'creating a network namespace')) return;
    const tag = `${process.pid % 100000}`;
    const ns = `tandem-p61-${tag}`;
    const host = `tp61h${tag}`;
    const setup = sh(
      [
        `ip netns add ${ns}`,
        `ip link add ${host} type veth peer name tp61n netns ${ns}`,
        `ip addr add 10.200.61.1/29 dev ${host}`,
        `ip link set ${host} up`,
        `ip -n ${ns} addr add 10.200.61.2/29 dev tp61n`,
        `ip -n ${ns} link set tp61n up`,
        `ip -n ${ns} link set lo up`,
      ].join(' && '),
    );
    t.after(() => sh(`ip link del ${host} 2>/dev/null; ip netns del ${ns} 2>/dev/null`));
    if (setup.status !== 0) {
      if (process.env.CI === 'true') throw new Error(`netns setup failed: ${setup.out}`);
      t.skip(`cannot create a network namespace here: ${setup.out.trim()}`);
      return;
    }
    const up = await pingProbe(ping, { vsLabel: '[10.0.0.100]:tcp:80' })(
      target('10.200.61.2'),
      never,
    );
    assert.equal(up.ok, true, up.message);
    // Nothing holds .3: ARP goes unanswered, so the probe times out.
    const started = Date.now();
    const down = await pingProbe(ping)(target('10.200.61.3', 300), never);
    assert.deepEqual(down, {
      ok: false,
      failure: 'timeout',
      message: 'ICMP connection to address [10.200.61.3]:tcp:80 timeout.',
    });
    assert.ok(Date.now() - started < 1000);

    // Inside the namespace, widen ping_group_range (per namespace) and check that the
    // unprivileged datagram socket is the one chosen, and that it pings.
    const icmpJs = new URL('../../src/sys/icmp.js', import.meta.url).pathname;
    const pingJs = new URL('../../src/check/ping.js', import.meta.url).pathname;
    const script = [
      `import { openIcmpSocket, closeIcmpSocket } from '${icmpJs}';`,
      `import { pingProbe } from '${pingJs}';`,
      `const s = openIcmpSocket('inet'); if (s.ok) closeIcmpSocket(s.socket);`,
      `const r = await pingProbe({})({ address: '127.0.0.1', family: 'inet', port: 0, label: 'lo', timeoutMs: 1000 }, new AbortController().signal);`,
      `console.log(JSON.stringify({ kind: s.ok ? s.socket.kind : s.code, ok: r.ok }));`,
    ].join('\n');
    const inner = spawnSync(
      'ip',
      [
        'netns',
        'exec',
        ns,
        'sh',
        '-c',
        'echo "0 2147483647" > /proc/sys/net/ipv4/ping_group_range && exec "$0" --input-type=module -e "$1"',
        process.execPath,
        script,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(inner.status, 0, inner.stderr);
    assert.deepEqual(JSON.parse(inner.stdout.trim()), { kind: 'dgram', ok: true });
  });
});

describe('MISC_CHECK', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-misc-'));
  chmodSync(dir, 0o755);
  after(() => rmSync(dir, { recursive: true, force: true }));
  const script = (name: string, body: string): string => {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };
  const misc = (path: string, extra: Partial<MiscCheck> = {}): MiscCheck => ({
    ...common,
    type: 'MISC_CHECK',
    miscPath: { command: path, argv: [path] },
    miscTimeout: 5,
    miscDynamic: false,
    ...extra,
  });
  const vsLabel = '[10.0.0.100]:tcp:80';
  const to = target('127.0.61.5');

  test('exit 0, exit 1, and keepalived’s line', async () => {
    const ok = script('ok.sh', 'exit 0');
    const bad = script('bad.sh', 'exit 1');
    assert.deepEqual(await miscProbe(misc(ok), { vsLabel })(to, never), {
      ok: true,
      message: `Misc check for [[127.0.61.5]:tcp:80 VS ${vsLabel}] by [${ok}] succeeded.`,
    });
    assert.deepEqual(await miscProbe(misc(bad), { vsLabel })(to, never), {
      ok: false,
      failure: 'error',
      message: `Misc check for [[127.0.61.5]:tcp:80 VS ${vsLabel}] by [${bad}] failed (exited with status 1).`,
    });
  });

  test('misc_dynamic: 2..255 sets weight = status − 2; 0 restores the configured weight', async () => {
    const seven = script('seven.sh', 'exit 7');
    const r = await miscProbe(misc(seven, { miscDynamic: true }))(to, never);
    assert.deepEqual([r.ok, r.ok && r.weight], [true, 5]);
    const plain = await miscProbe(misc(seven))(to, never);
    assert.match(plain.message, /failed \(exited with status 7\)\.$/);
    const zero = await miscProbe(misc(script('zero.sh', 'exit 0'), { miscDynamic: true }), {
      realServerWeight: 3,
    })(to, never);
    assert.deepEqual([zero.ok, zero.ok && zero.weight], [true, 3]);
  });

  test('arguments, environment, death by signal, missing program', async () => {
    const args = script('args.sh', '[ "$1" = "a b" ] && [ "$FOO" = bar ]');
    const spec = { command: `${args} "a b"`, argv: [args, 'a b'] };
    const r = await miscProbe(misc(args, { miscPath: spec }), { env: { FOO: 'bar' } })(to, never);
    assert.equal(r.ok, true, r.message);
    const usr1 = await miscProbe(misc(script('usr1.sh', 'kill -USR1 $$')))(to, never);
    assert.match(usr1.message, /failed \(due to signal 10\)\.$/);
    const missing = await miscProbe(misc(join(dir, 'nope')))(to, never);
    assert.deepEqual([missing.ok, !missing.ok && missing.failure], [false, 'error']);
    assert.match(missing.message, /failed \(exec error ENOENT\)\.$/);
  });

  test('misc_timeout: SIGTERM to the process group, then SIGKILL after 2 s', async () => {
    const pidFile = join(dir, 'child.pid');
    const hang = script('hang.sh', `sleep 30 & echo $! > ${pidFile}; wait`);
    const r = await miscProbe(misc(hang, { miscTimeout: 0.2 }))(to, never);
    assert.deepEqual([r.ok, !r.ok && r.failure], [false, 'timeout']);
    assert.match(r.message, /timed out\.$/);
    const orphan = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((res) => setTimeout(res, 100));
    assert.ok(!alive(orphan), "the script's child was killed with its group");

    const stubborn = script('stubborn.sh', "trap '' TERM; sleep 30 & wait; sleep 30");
    const started = Date.now();
    const r2 = await miscProbe(misc(stubborn, { miscTimeout: 0.1 }))(to, never);
    assert.match(r2.message, /timed out\.$/);
    assert.ok(Date.now() - started >= 2000, 'SIGKILL only after the grace period');
  });

  test('an abort kills the script at once', async () => {
    const ac = new AbortController();
    const pending = miscProbe(misc(script('long.sh', 'sleep 30')))(to, ac.signal);
    setTimeout(() => ac.abort(), 50);
    const r = await pending;
    assert.deepEqual([r.ok, !r.ok && r.failure], [false, 'timeout']);
  });

  test('user: runs as another user (uid/gid from /etc/passwd)', async (t) => {
    if (!requireRoot(t, 'running a script as another user')) return;
    const nobody = sh('id -u nobody && id -g nobody');
    if (nobody.status !== 0) {
      if (process.env.CI === 'true') throw new Error('no nobody user under CI=true');
      t.skip('needs a nobody user');
      return;
    }
    const out = join(dir, 'ids');
    const who = script('who.sh', `id -u > ${out}; id -g >> ${out}`);
    chmodSync(dir, 0o777);
    const spec = { command: who, argv: [who], user: 'nobody' };
    const r = await miscProbe(misc(who, { miscPath: spec }))(to, never);
    assert.equal(r.ok, true, r.message);
    assert.equal(readFileSync(out, 'utf8'), nobody.out);
    const viaGlobal = await miscProbe(misc(who), { scriptUser: 'nobody' })(to, never);
    assert.equal(viaGlobal.ok, true, viaGlobal.message);
    const unknown = await miscProbe(misc(who), { scriptUser: 'no-such-user-61' })(to, never);
    assert.match(unknown.message, /failed \(unknown user no-such-user-61\)\.$/);
  });
});

describe('FILE_CHECK', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-file-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'state');
  const track = (weight = 1, weightReverse = false): TrackFile => ({
    at: common.at,
    name: 'tf',
    file: path,
    weight,
    weightReverse,
  });
  const fileCheck = (extra: Partial<FileCheck> = {}): FileCheck => ({
    type: 'FILE_CHECK',
    at: common.at,
    trackFile: 'tf',
    weightReverse: false,
    dynamic: false,
    ...extra,
  });
  const to = target('127.0.61.6');

  test('weight 0: 0 is up, non-zero is down; reverse swaps them', async () => {
    const probe = fileProbe(fileCheck({ weight: 0 }), track());
    writeFileSync(path, '0\n');
    assert.equal((await probe(to, never)).ok, true);
    writeFileSync(path, '3\n');
    const down = await probe(to, never);
    assert.deepEqual(down, {
      ok: false,
      failure: 'error',
      message: '([127.0.61.6]:tcp:80): tracked file tf now FAULT state',
    });
    const reversed = fileProbe(fileCheck({ weight: 0, weightReverse: true }), track());
    assert.equal((await reversed(to, never)).ok, true);
    rmSync(path); // a missing file reads as 0
    assert.equal((await reversed(to, never)).ok, false);
    assert.equal((await probe(to, never)).ok, true);
  });

  test('weight W: the RS weight moves by value × W (track_file weight when none given)', async () => {
    const probe = fileProbe(fileCheck(), track(2), { realServerWeight: 10 });
    writeFileSync(path, '3');
    assert.deepEqual(await probe(to, never), {
      ok: true,
      weight: 16,
      message: '([127.0.61.6]:tcp:80): tracked file tf value 3',
    });
    writeFileSync(path, '0x10 trailing');
    const hex = await probe(to, never);
    assert.equal(hex.ok && hex.weight, 42);
    writeFileSync(path, '-20');
    const floor = await probe(to, never);
    assert.equal(floor.ok && floor.weight, 0);
    writeFileSync(path, '99999999999');
    const kept = await probe(to, never); // invalid: the previous value stands
    assert.equal(kept.ok && kept.weight, 0);
    assert.match(kept.message, /Invalid number 99999999999 read from/);
    const rev = fileProbe(fileCheck({ weight: 1, weightReverse: true }), track(), {
      realServerWeight: 10,
    });
    writeFileSync(path, '4');
    const r = await rev(to, never);
    assert.equal(r.ok && r.weight, 6);
  });

  test('the value that reaches -2^31 is a fault; an unknown track_file fails', async () => {
    writeFileSync(path, '-2147483648');
    assert.equal((await fileProbe(fileCheck(), track())(to, never)).ok, false);
    const none = await fileProbe(fileCheck(), undefined)(to, never);
    assert.deepEqual(none, { ok: false, failure: 'error', message: 'track_file tf not found' });
  });
});
