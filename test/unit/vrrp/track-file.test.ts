// track_file: strtol-like parsing, the fault rule, init_file, and the watcher on a real temp
// directory (poll path on a ManualClock; fs.watch path with a bounded wait).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { TrackFile } from '../../../src/config/model.js';
import { ManualClock, systemClock } from '../../../src/lib/clock.js';
import { createLogger, memorySink } from '../../../src/lib/log.js';
import {
  initTrackFile,
  parseTrackFileValue,
  readTrackFile,
  TrackFileWatcher,
  trackFileUp,
} from '../../../src/vrrp/track-file.js';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-tf-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function spec(file: string, over: Partial<TrackFile> = {}): TrackFile {
  return {
    at: { file: 't.conf', line: 1, column: 1 },
    name: 'tf',
    file,
    weight: 1,
    weightReverse: false,
    ...over,
  };
}

test('parseTrackFileValue reads like strtol(buf, NULL, 0)', () => {
  const cases: [string, number][] = [
    ['', 0],
    ['\n', 0],
    ['5\n', 5],
    ['  -12 trailing', -12],
    ['+7', 7],
    ['0x1f', 31],
    ['0X1F\n', 31],
    ['017', 15],
    ['08', 0],
    ['0x', 0],
    ['abc', 0],
    ['12abc', 12],
    ['2147483647', 2147483647],
    ['-2147483648', -2147483648],
  ];
  for (const [text, value] of cases)
    assert.deepEqual(parseTrackFileValue(text), { ok: true, value }, JSON.stringify(text));
  assert.deepEqual(parseTrackFileValue('2147483648'), { ok: false, value: 2147483648 });
});

test('trackFileUp: weight 0 faults on non-zero (reverse: on zero); weighted faults at -254', () => {
  assert.equal(trackFileUp(0, 0, false), true);
  assert.equal(trackFileUp(3, 0, false), false);
  assert.equal(trackFileUp(0, 0, true), false);
  assert.equal(trackFileUp(3, 0, true), true);
  assert.equal(trackFileUp(-253, 1, false), true);
  assert.equal(trackFileUp(-254, 1, false), false);
  assert.equal(trackFileUp(127, 2, true), false);
  assert.equal(trackFileUp(100, 10, false), true);
});

test('readTrackFile: a missing file is 0; only the first 127 bytes count', (t) => {
  const dir = tempDir(t);
  assert.deepEqual(readTrackFile(join(dir, 'nope')), { ok: true, value: 0 });
  writeFileSync(join(dir, 'long'), `${' '.repeat(126)}9`);
  assert.deepEqual(readTrackFile(join(dir, 'long')), { ok: true, value: 9 });
  writeFileSync(join(dir, 'long'), `${' '.repeat(127)}9`);
  assert.deepEqual(readTrackFile(join(dir, 'long')), { ok: true, value: 0 });
});

test('init_file creates a missing file, overwrites only with overwrite, never on reload', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'f');
  assert.equal(initTrackFile(spec(file, { initFile: { value: 7, overwrite: false } })), undefined);
  assert.equal(readFileSync(file, 'utf8'), '7\n');
  initTrackFile(spec(file, { initFile: { value: 3, overwrite: false } }));
  assert.equal(readFileSync(file, 'utf8'), '7\n', 'existing file kept');
  initTrackFile(spec(file, { initFile: { value: 3, overwrite: true } }), true);
  assert.equal(readFileSync(file, 'utf8'), '7\n', 'reload keeps it');
  initTrackFile(spec(file, { initFile: { value: -3, overwrite: true } }));
  assert.equal(readFileSync(file, 'utf8'), '-3\n');
  mkdirSync(join(dir, 'd'));
  assert.equal(
    initTrackFile(spec(join(dir, 'd'), { initFile: { value: 1, overwrite: true } })),
    'Cannot initialise track file tf - it is not a regular file',
  );
  assert.equal(
    initTrackFile(spec(join(dir, 'none', 'f'), { initFile: { value: 1, overwrite: false } })),
    'Unable to initialise track file tf',
  );
});

test('watcher (poll): value at start, changes, delete → 0, replace by rename, bad numbers', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'prio');
  writeFileSync(file, '5\n');
  const clock = new ManualClock();
  const sink = memorySink();
  const seen: number[] = [];
  const w = new TrackFileWatcher(spec(file), {
    clock,
    logger: createLogger({ write: sink.write }),
    useFsWatch: false,
    onChange: (v) => seen.push(v),
  });
  t.after(() => w.close());
  w.start();
  assert.equal(w.value, 5);
  writeFileSync(file, '-2\n');
  clock.advance(999);
  assert.equal(w.value, 5);
  clock.advance(1);
  assert.equal(w.value, -2);
  rmSync(file);
  clock.advance(1000);
  assert.equal(w.value, 0);
  writeFileSync(join(dir, 'tmp'), '9\n');
  renameSync(join(dir, 'tmp'), file);
  clock.advance(1000);
  assert.equal(w.value, 9);
  writeFileSync(file, '99999999999\n');
  clock.advance(1000);
  assert.equal(w.value, 9, 'out of range is ignored');
  clock.advance(1000);
  assert.deepEqual(seen, [-2, 0, 9]);
  assert.equal(
    sink.records.filter((r) => r.msg === `Invalid number 99999999999 read from ${file} - ignoring`)
      .length,
    2,
  );
});

test('watcher: a missing directory is reported and read as 0', (t) => {
  const dir = tempDir(t);
  const sink = memorySink();
  const w = new TrackFileWatcher(spec(join(dir, 'no', 'f'), { name: 'gone' }), {
    clock: new ManualClock(),
    logger: createLogger({ write: sink.write }),
  });
  t.after(() => w.close());
  w.start();
  assert.equal(w.value, 0);
  assert.deepEqual(
    sink.records.map((r) => r.msg),
    ['Track file directory for gone does not exist - removing'],
  );
});

test('watcher (fs.watch): a write is seen without the poll', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'prio');
  writeFileSync(file, '1\n');
  let resolve: (v: number) => void = () => undefined;
  const changed = new Promise<number>((r) => (resolve = r));
  const w = new TrackFileWatcher(spec(file), {
    clock: systemClock,
    logger: createLogger({ write: () => undefined }),
    pollMs: 60_000, // out of the way: only fs.watch can deliver within the wait
    onChange: (v) => resolve(v),
  });
  t.after(() => w.close());
  w.start();
  writeFileSync(join(dir, 'tmp'), '42\n');
  renameSync(join(dir, 'tmp'), file);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('fs.watch delivered nothing in 5 s')), 5000);
  });
  try {
    assert.equal(await Promise.race([changed, timeout]), 42);
  } finally {
    clearTimeout(timer);
  }
});
