// Log records as text: NDJSON, or keepalived's console line with a ctime(3) stamp; levels map to
// syslog priorities; a LogOutput decides which writers a record reaches.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ctimeText,
  formatRecord,
  logSink,
  parseFacility,
  syslogPriority,
} from '../../../src/lib/log-format.js';
import { LEVELS, type LogRecord } from '../../../src/lib/log.js';

const at = (y: number, mo: number, d: number, h: number, mi: number, s: number): number =>
  new Date(y, mo, d, h, mi, s).getTime();

test('ctimeText is ctime(3) in local time, the day padded with a space', () => {
  assert.equal(ctimeText(at(2026, 10, 27, 9, 18, 59)), 'Fri Nov 27 09:18:59 2026');
  assert.equal(ctimeText(at(2026, 0, 4, 0, 0, 7)), 'Sun Jan  4 00:00:07 2026');
});

test("keepalived format: 'STAMP: msg', an err's message appended once", () => {
  const time = at(2026, 10, 27, 9, 18, 59);
  const r: LogRecord = {
    level: 30,
    time,
    subsys: 'vrrp',
    msg: '(VI_1) Entering BACKUP STATE (init)',
  };
  assert.equal(
    formatRecord(r, 'keepalived'),
    'Fri Nov 27 09:18:59 2026: (VI_1) Entering BACKUP STATE (init)\n',
  );
  const e: LogRecord = { level: 50, time, err: new Error('EACCES'), msg: 'cannot write x' };
  assert.equal(formatRecord(e, 'keepalived'), 'Fri Nov 27 09:18:59 2026: cannot write x: EACCES\n');
  const same: LogRecord = { level: 50, time, err: { message: 'boom' }, msg: 'failed: boom' };
  assert.equal(formatRecord(same, 'keepalived'), 'Fri Nov 27 09:18:59 2026: failed: boom\n');
});

test('json format: one NDJSON line; errors become { message, code }', () => {
  const err = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
  const line = formatRecord({ level: 40, time: 1, err, msg: 'm' }, 'json');
  assert.ok(line.endsWith('\n'));
  assert.deepEqual(JSON.parse(line), {
    level: 40,
    time: 1,
    err: { message: 'refused', code: 'ECONNREFUSED' },
    msg: 'm',
  });
});

test('levels map to syslog priorities: fatal CRIT, error ERR, warn WARNING, info INFO, debug', () => {
  assert.equal(syslogPriority(LEVELS.fatal), 2);
  assert.equal(syslogPriority(LEVELS.error), 3);
  assert.equal(syslogPriority(LEVELS.warn), 4);
  assert.equal(syslogPriority(LEVELS.info), 6);
  assert.equal(syslogPriority(LEVELS.debug), 7);
  assert.equal(syslogPriority(LEVELS.trace), 7);
});

test('parseFacility: keepalived -S values as syslog.h codes', () => {
  assert.equal(parseFacility('0'), 128);
  assert.equal(parseFacility('local7'), 184);
  assert.equal(parseFacility('daemon'), 24);
  assert.equal(parseFacility('user'), 8);
  assert.equal(parseFacility('mail'), undefined);
});

test('logSink: console and/or syslog as the output says; syslog gets the bare message', () => {
  const lines: string[] = [];
  const sys: [number, string][] = [];
  const io = {
    console: (l: string) => lines.push(l),
    syslog: (p: number, m: string) => sys.push([p, m]),
  };
  const r: LogRecord = { level: 40, time: 0, msg: '(VI_1) Entering FAULT STATE' };
  logSink({ format: 'json', console: true }, io)(r);
  assert.equal(lines.length, 1);
  assert.equal(sys.length, 0);
  logSink({ format: 'keepalived', console: false, syslogFacility: 24 }, io)(r);
  assert.equal(lines.length, 1);
  assert.deepEqual(sys, [[4, '(VI_1) Entering FAULT STATE']]);
  logSink({ format: 'keepalived', console: true, syslogFacility: 24 }, io)(r);
  assert.equal(lines.length, 2);
  assert.match(lines[1] ?? '', /: \(VI_1\) Entering FAULT STATE\n$/);
  assert.equal(sys.length, 2);
});
