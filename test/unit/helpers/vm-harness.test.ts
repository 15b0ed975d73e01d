// The test VM harness's pure parts: the newc cpio writer (read back with a small reader of
// the same format, and with the cpio tool when it is installed), the module load order taken
// from modules.dep, and the TAP summary the host reads from the VM.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { haveTool } from '../../helpers/tools.js';
import { CpioWriter } from '../../helpers/vm/cpio.js';
import { moduleLoadOrder } from '../../helpers/vm/image.js';
import { parseTapSummary } from '../../helpers/vm/suite.js';

interface Entry {
  readonly name: string;
  readonly mode: number;
  readonly uid: number;
  readonly rdev: readonly [number, number];
  readonly data: Buffer;
}

/** A reader of "newc" archives, enough to check the writer. */
function readNewc(buf: Buffer): Entry[] {
  const out: Entry[] = [];
  let off = 0;
  const align = (n: number) => (n + 3) & ~3;
  while (off < buf.length) {
    assert.equal(buf.toString('ascii', off, off + 6), '070701', `magic at ${off}`);
    const field = (i: number) =>
      parseInt(buf.toString('ascii', off + 6 + i * 8, off + 14 + i * 8), 16);
    const [mode, uid, size, rmaj, rmin, namesize] = [1, 2, 6, 9, 10, 11].map(field) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const name = buf.toString('utf8', off + 110, off + 110 + namesize - 1);
    off = align(off + 110 + namesize);
    const data = buf.subarray(off, off + size);
    off = align(off + size);
    if (name === 'TRAILER!!!') break;
    out.push({ name, mode, uid, rdev: [rmaj, rmin], data });
  }
  return out;
}

test('CpioWriter: parents first, root-owned entries of every kind, padded to 512 bytes', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-cpio-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const src = join(dir, 'src.bin');
  writeFileSync(src, Buffer.alloc(3_000_001, 7), { mode: 0o750 });
  const path = join(dir, 'out.cpio');
  const w = new CpioWriter(path, 1_700_000_000);
  w.data('init', '#!/bin/sh\n', 0o755);
  w.file('/usr/bin/big', src);
  w.symlink('lib/libx.so.1', 'libx.so.1.2');
  w.charDevice('dev/console', 5, 1);
  w.dir('tmp', 0o1777);
  w.finish();
  const buf = readFileSync(path);
  assert.equal(buf.length % 512, 0);
  const entries = readNewc(buf);
  assert.deepEqual(
    entries.map((e) => e.name),
    ['init', 'usr', 'usr/bin', 'usr/bin/big', 'lib', 'lib/libx.so.1', 'dev', 'dev/console', 'tmp'],
  );
  const by = (n: string) => entries.find((e) => e.name === n)!;
  assert.equal(by('init').mode, 0o100755);
  assert.equal(by('init').data.toString(), '#!/bin/sh\n');
  assert.equal(by('usr/bin/big').mode, 0o100750);
  assert.equal(by('usr/bin/big').data.length, 3_000_001);
  assert.ok(by('usr/bin/big').data.every((b) => b === 7));
  assert.equal(by('usr').mode, 0o40755);
  assert.equal(by('lib/libx.so.1').mode, 0o120777);
  assert.equal(by('lib/libx.so.1').data.toString(), 'libx.so.1.2');
  assert.equal(by('dev/console').mode, 0o20600);
  assert.deepEqual(by('dev/console').rdev, [5, 1]);
  assert.equal(by('tmp').mode, 0o41777);
  assert.ok(entries.every((e) => e.uid === 0));
  if (haveTool('cpio')) {
    const r = spawnSync('cpio', ['-it', '--quiet'], { input: buf, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      r.stdout.trim().split('\n'),
      entries.map((e) => e.name),
    );
  }
});

test('CpioWriter refuses paths that leave the archive root', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-cpio-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const w = new CpioWriter(join(dir, 'x.cpio'));
  assert.throws(() => w.data('../etc/passwd', 'x'), /bad archive path/);
  assert.throws(() => w.data('/', 'x'), /bad archive path/);
  w.finish();
});

test('moduleLoadOrder: every IPVS module, the required ones, each after its dependencies', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'tandem-mods-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'lib', 'modules', '9.9.9-test');
  mkdirSync(dir, { recursive: true });
  const ipvs = 'kernel/net/netfilter/ipvs';
  writeFileSync(
    join(dir, 'modules.dep'),
    [
      `${ipvs}/ip_vs_rr.ko: ${ipvs}/ip_vs.ko kernel/net/netfilter/nf_conntrack.ko kernel/lib/libcrc32c.ko`,
      `${ipvs}/ip_vs.ko: kernel/net/netfilter/nf_conntrack.ko kernel/lib/libcrc32c.ko`,
      'kernel/net/netfilter/nf_conntrack.ko: kernel/lib/libcrc32c.ko',
      'kernel/lib/libcrc32c.ko:',
      'kernel/drivers/net/dummy.ko:',
      'kernel/drivers/net/veth.ko:',
      'kernel/fs/unrelated.ko:',
      '',
    ].join('\n'),
  );
  const order = moduleLoadOrder(root, '9.9.9-test');
  assert.deepEqual(order, [
    `kernel/lib/libcrc32c.ko`,
    'kernel/net/netfilter/nf_conntrack.ko',
    `${ipvs}/ip_vs.ko`,
    'kernel/drivers/net/dummy.ko',
    'kernel/drivers/net/veth.ko',
    `${ipvs}/ip_vs_rr.ko`,
  ]);
  writeFileSync(join(dir, 'modules.dep'), 'kernel/lib/libcrc32c.ko:\n');
  assert.throws(() => moduleLoadOrder(root, '9.9.9-test'), /has no module ip_vs/);
});

test('parseTapSummary: counts and the names of failed tests at any depth', () => {
  const tap = [
    'TAP version 13',
    '# Subtest: outer',
    '    # Subtest: inner',
    '    not ok 1 - inner',
    '      ---',
    '      ...',
    '    1..1',
    'not ok 1 - outer',
    'ok 2 - fine',
    '1..2',
    '# tests 3',
    '# suites 0',
    '# pass 1',
    '# fail 2',
    '# cancelled 0',
    '# skipped 0',
    '# todo 0',
    '# duration_ms 12.5',
    '',
  ].join('\n');
  assert.deepEqual(parseTapSummary(tap), {
    tests: 3,
    pass: 1,
    fail: 2,
    cancelled: 0,
    skipped: 0,
    todo: 0,
    failures: ['inner', 'outer'],
  });
  assert.equal(parseTapSummary('TAP version 13\nok 1 - cut short\n'), undefined);
});
