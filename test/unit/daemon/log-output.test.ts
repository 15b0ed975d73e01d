// The daemon's log destinations from its flags, and -S reaching syslog(3) through an injected
// binding: openlog once with ident tandem, LOG_PID and the facility, then syslog per record.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logOutputOf, outputSink } from '../../../src/daemon/log-output.js';
import { createLogger } from '../../../src/lib/log.js';
import { LOG_NDELAY, LOG_PID, type SyslogBinding } from '../../../src/sys/syslog.js';

test('no -S: stdout only; -S: syslog only; -S -l: both (keepalived logs to both with -l)', () => {
  assert.deepEqual(logOutputOf({ logFormat: 'json', logConsole: false }), {
    format: 'json',
    console: true,
  });
  assert.deepEqual(logOutputOf({ logFormat: 'json', logConsole: true }), {
    format: 'json',
    console: true,
  });
  assert.deepEqual(
    logOutputOf({ logFormat: 'keepalived', logConsole: false, syslogFacility: 24 }),
    {
      format: 'keepalived',
      console: false,
      syslogFacility: 24,
    },
  );
  assert.equal(
    logOutputOf({ logFormat: 'keepalived', logConsole: true, syslogFacility: 24 }).console,
    true,
  );
});

function fakeSyslog(): { calls: unknown[][]; lib: SyslogBinding } {
  const calls: unknown[][] = [];
  return {
    calls,
    lib: {
      openlog: (...a) => calls.push(['openlog', ...a]),
      syslog: (...a) => calls.push(['syslog', ...a]),
      closelog: () => calls.push(['closelog']),
    },
  };
}

test('-S local2: openlog(tandem, LOG_PID|LOG_NDELAY, LOG_LOCAL2), records as syslog(priority, msg)', () => {
  const { calls, lib } = fakeSyslog();
  const lines: string[] = [];
  const output = logOutputOf({ logFormat: 'json', logConsole: false, syslogFacility: 18 << 3 });
  const sink = outputSink(output, (l) => lines.push(l), lib);
  assert.ok(sink.ok);
  const log = createLogger({ level: 'debug', write: sink.write });
  log.info({ subsys: 'vrrp' }, '(VI_1) Entering MASTER STATE');
  log.error({}, 'reload failed: configuration has errors; keeping the running one');
  log.debug({}, '(VI_1) setting VIPs.');
  assert.deepEqual(calls, [
    ['openlog', 'tandem', LOG_PID | LOG_NDELAY, 18 << 3],
    ['syslog', 6, '(VI_1) Entering MASTER STATE'],
    ['syslog', 3, 'reload failed: configuration has errors; keeping the running one'],
    ['syslog', 7, '(VI_1) setting VIPs.'],
  ]);
  assert.deepEqual(lines, []);
});

test('-S without a usable libc is an error value, not a silent loss of the log', () => {
  const r = outputSink(
    { format: 'json', console: false, syslogFacility: 24 },
    () => undefined,
    null,
  );
  assert.equal(r.ok, false);
});
