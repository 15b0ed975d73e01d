// Where the daemon's log goes, from keepalived's flags: stdout by default (NDJSON, or keepalived's
// lines with --log-format keepalived), syslog with -S (ident tandem, LOG_PID), and both with -S -l
// as keepalived logs to syslog and, with -l, to the console too. The same LogOutput is what the
// VRRP engine's thread gets in its init so its lines match the main thread's.

import type { DaemonArgs } from './args.js';
import { logSink, type LogOutput, type LogWriters } from '../lib/log-format.js';
import type { LogRecord } from '../lib/log.js';
import { openSyslog, type SyslogBinding } from '../sys/syslog.js';

export function logOutputOf(
  args: Pick<DaemonArgs, 'logFormat' | 'logConsole' | 'syslogFacility'>,
): LogOutput {
  return {
    format: args.logFormat,
    console: args.syslogFacility === undefined || args.logConsole,
    ...(args.syslogFacility === undefined ? {} : { syslogFacility: args.syslogFacility }),
  };
}

export type OutputSink =
  { ok: true; write: (record: LogRecord) => void } | { ok: false; message: string };

/** The main thread's sink: stdout through `console`, syslog opened here when asked for. */
export function outputSink(
  output: LogOutput,
  console: LogWriters['console'],
  syslogLib?: SyslogBinding | null,
): OutputSink {
  if (output.syslogFacility === undefined) return { ok: true, write: logSink(output, { console }) };
  const syslog =
    syslogLib === undefined
      ? openSyslog(output.syslogFacility)
      : openSyslog(output.syslogFacility, syslogLib);
  if (syslog === null) return { ok: false, message: 'syslog(3) is not available (libc via koffi)' };
  return { ok: true, write: logSink(output, { console, syslog }) };
}
